import { type Command, InvalidArgumentError } from 'commander';
import { ShoalApiError, ShoalConnectionError, ShoalHttpClient } from '@shoal/client';

/** Options every command has (`--url`/`SHOAL_URL`, `--api-key`/`SHOAL_API_KEY`, `--json`). */
export interface GlobalOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

/** What a command runs with: a client for the broker and the way to print. */
export class CliContext {
  readonly client: ShoalHttpClient;

  constructor(readonly options: GlobalOptions) {
    this.client = new ShoalHttpClient({ url: options.url, apiKey: options.apiKey, retry: { retries: 0 } });
  }

  static of(command: Command): CliContext {
    return new CliContext(command.optsWithGlobals<GlobalOptions>());
  }

  /** Prints `value` as JSON with `--json`, else as people read it. */
  print(value: unknown, forPeople: () => string): void {
    process.stdout.write(this.options.json ? `${JSON.stringify(value, null, 2)}\n` : `${forPeople()}\n`);
  }
}

/** Exit codes: 1 for an error answer from the broker, 2 for no answer, 3 for bad usage. */
export const EXIT = { apiError: 1, connection: 2, usage: 3 } as const;

/** Runs a command's action; a failure prints the broker's code and message on stderr and sets the exit code. */
export function action<A extends unknown[]>(
  run: (context: CliContext, ...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const context = CliContext.of(command);
    try {
      await run(context, ...args);
    } catch (error) {
      process.exitCode = report(error, context.options.json === true);
    } finally {
      await context.client.close();
    }
  };
}

function report(error: unknown, json: boolean): number {
  if (error instanceof ShoalApiError) {
    const body = { error: { code: error.code, message: error.message, status: error.status } };
    process.stderr.write(json ? `${JSON.stringify(body)}\n` : `shoal: ${error.message}\n`);
    return EXIT.apiError;
  }
  if (error instanceof ShoalConnectionError) {
    process.stderr.write(`shoal: ${error.message}\n`);
    return EXIT.connection;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`shoal: ${error.message}\n`);
    return EXIT.usage;
  }
  throw error;
}

/** A bad combination of options, found by the command itself. */
export class UsageError extends Error {}

/** Parses a non-negative integer option. */
export function integer(name: string): (text: string) => number {
  return (text: string) => {
    if (!/^\d{1,16}$/.test(text)) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return Number(text);
  };
}
