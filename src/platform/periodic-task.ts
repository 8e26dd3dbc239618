import type { Logger } from '@nestjs/common';
import { StorageUnavailableError } from './errors/index.js';

/**
 * Runs `work` every `intervalMs`, never two at once, logging failures instead of crashing (an
 * unreachable database — the Database's StorageUnavailableError — is logged once per outage
 * by the database itself, not here per run);
 * `stop()` waits for a run in progress. The work itself is an idempotent sweep that tests
 * call directly with a chosen time.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.work()
        .then(() => undefined)
        .catch((error: unknown) => {
          if (!(error instanceof StorageUnavailableError)) this.logger.error(`${this.name} failed: ${String(error)}`);
        })
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
