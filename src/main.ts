import './tiering.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { listenDecision } from './config/listen-policy.js';
import { ApiKeyService } from './security/api-key.service.js';
import { createApp } from './app.factory.js';
import { ConfigError } from './config/config.error.js';
import { logStartup } from './startup-line.js';
import { configWarnings, loadConfig, type ShoalConfig } from './config/shoal-config.js';

/** A bad environment is one clear line per variable and exit code 1, never a stack trace. */
function configOrExit(): ShoalConfig {
  for (const warning of configWarnings()) process.stderr.write(`shoal: ${warning}\n`);
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`shoal: invalid environment: ${problem}\n`);
    process.exit(1);
  }
}

const config = configOrExit();
const app = await createApp({ config });
const authEnabled = await app.get(ApiKeyService).authEnabled();
const decision = listenDecision(config, authEnabled);
if (decision.refuse) {
  process.stderr.write(`shoal: ${decision.refuse}\n`);
  await app.close();
  process.exit(1);
}
// SIGTERM closes gracefully (enableShutdownHooks); whatever is still running after the grace period is cut off.
process.once('SIGTERM', () => setTimeout(() => process.exit(1), config.shutdownGraceMs ?? 10_000).unref());
await app.listen(config.port, config.host);
new Logger('Shoal')[decision.warn ? 'warn' : 'log'](decision.message);
logStartup(config, (await app.getUrl()).replace('[::1]', 'localhost'), authEnabled);
