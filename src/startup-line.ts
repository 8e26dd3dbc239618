import { Logger } from '@nestjs/common';
import type { ShoalConfig } from './config/shoal-config.js';
import { shoalVersion } from './platform/build-info.js';

/** The start-up line: version, URL, database kind and whether requests need an API key. */
export function logStartup(config: ShoalConfig, url: string, authEnabled: boolean): void {
  const auth = authEnabled ? 'on' : 'off';
  new Logger('Shoal').log(
    `shoal ${shoalVersion()} listening on ${url} (database ${config.storage.kind}, auth ${auth}, console ${url}/console, API docs ${url}/docs)`,
  );
}
