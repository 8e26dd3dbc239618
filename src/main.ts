import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { loadConfig } from './config/shoal-config.js';

const config = loadConfig();
const app = await createApp({ config });
await app.listen(config.port, config.host);
