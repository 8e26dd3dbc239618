import { readFileSync } from 'node:fs';
import type { ShoalConfig } from '../config/shoal-config.js';
import { clientErrorHandler, frameworkErrors, MAX_PARAM_LENGTH } from './framework-errors.js';

/**
 * Fastify options of a broker facing hostile input: every framework error in the contract's
 * shape, path parameters long enough for any valid name, and HTTPS when
 * `SHOAL_TLS_CERT`/`SHOAL_TLS_KEY` name PEM files.
 */
export function hardenedServerOptions(config: ShoalConfig) {
  const { tlsCert, tlsKey } = config.security ?? {};
  return {
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
    ...(tlsCert && tlsKey ? { https: { cert: readFileSync(tlsCert), key: readFileSync(tlsKey) } } : {}),
  };
}
