import type { ShoalConfig } from './shoal-config.js';

export interface ListenDecision {
  /** Set when the broker must not start: it would be open to the network. */
  refuse?: string;
  /** Said at start-up, as a warning when `warn`. */
  message: string;
  warn: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Without any API key the broker is open to whoever reaches it, so by default it listens on
 * loopback only; another interface without a key needs `SHOAL_ALLOW_ANONYMOUS=true`.
 */
export function listenDecision(config: ShoalConfig, authEnabled: boolean): ListenDecision {
  const where = `${config.host}:${config.port}`;
  const scheme = config.security?.tlsCert ? 'https' : 'http';
  if (authEnabled) return { message: `listening on ${scheme}://${where}; API keys required`, warn: false };
  if (LOOPBACK.test(config.host))
    return {
      message: `listening on ${scheme}://${where} only, without API keys (set SHOAL_ADMIN_API_KEY to listen on other interfaces)`,
      warn: false,
    };
  if (config.security?.allowAnonymous)
    return {
      message: `listening on ${scheme}://${where} WITHOUT API keys (SHOAL_ALLOW_ANONYMOUS=true): anyone who reaches it can do anything`,
      warn: true,
    };
  return {
    refuse: `HOST=${config.host} without any API key would open the broker to the network: set SHOAL_ADMIN_API_KEY, or SHOAL_ALLOW_ANONYMOUS=true to accept that`,
    message: '',
    warn: false,
  };
}
