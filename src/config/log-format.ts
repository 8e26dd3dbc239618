import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import { loggerLevels } from './shoal-config.js';

export type LogFormat = 'json' | 'pretty';

/** `SHOAL_LOG_FORMAT`, else JSON when stdout is not a terminal (a file, a pipe, a container's log). */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stdout.isTTY)): LogFormat {
  if (env.SHOAL_LOG_FORMAT === 'json' || env.SHOAL_LOG_FORMAT === 'pretty') return env.SHOAL_LOG_FORMAT;
  return isTty ? 'pretty' : 'json';
}

/**
 * The broker's logger: Nest's own, one JSON object per line (`level`, `pid`, `timestamp`,
 * `message`, `context`) or text; colours only on a terminal, so files never hold ANSI codes.
 */
export function shoalLogger(
  env: NodeJS.ProcessEnv = process.env,
  isTty = Boolean(process.stdout.isTTY),
): LoggerService | false {
  const levels = loggerLevels(env);
  if (levels === false) return false;
  const format = logFormat(env, isTty);
  return new StartupQuietLogger({ logLevels: levels, json: format === 'json', colors: format === 'pretty' && isTty });
}

/** Nest's start-up chatter: module initialisation and one line per route (about 60 lines). */
export const STARTUP_DEBUG_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Nest's logger with its start-up chatter ({@link STARTUP_DEBUG_CONTEXTS}) at debug level, so
 * `npm start` prints the start-up line and little else; `SHOAL_LOG=debug` shows the route mappings.
 */
export class StartupQuietLogger extends ConsoleLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1) ?? this.context;
    if (typeof context === 'string' && STARTUP_DEBUG_CONTEXTS.has(context)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}
