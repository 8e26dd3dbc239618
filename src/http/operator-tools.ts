import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { serveConsole } from './console/console.setup.js';
import { serveOpenApi } from './openapi/openapi.document.js';

/** What operators open in a browser: the web console at `/console`, Swagger UI at `/docs`, `/openapi.json`. */
export async function serveOperatorTools(app: NestFastifyApplication): Promise<void> {
  serveOpenApi(app);
  await serveConsole(app);
}
