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
  return new ConsoleLogger({ logLevels: levels, json: format === 'json', colors: format === 'pretty' && isTty });
}
