import { Logger } from '@nestjs/common';

/** Seconds a client is asked to wait (`Retry-After`) before trying again while the database is unreachable. */
export const STORAGE_RETRY_AFTER_SECONDS = 1;

/**
 * Whether the database answers, as the broker's own uses of it find: a use that fails for want
 * of a connection (refused, broken, timed out, a standby that is read-only) marks it
 * unavailable, the next use that succeeds marks it available again. `/health`, `/metrics` and
 * the logs read it; an outage is logged once when it begins and once when it ends, not per
 * request. Listeners hear the return (the change relay wakes every long poll then).
 */
export class StorageAvailability {
  private readonly logger = new Logger('Storage');
  private downSince: number | null = null;
  private readonly listeners = new Set<(available: boolean) => void>();

  get available(): boolean {
    return this.downSince === null;
  }

  /** A use failed for want of the database. */
  lost(error: unknown): void {
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.logger.warn(`database unavailable (${describe(error)}): answering 503 STORAGE_UNAVAILABLE until it returns`);
    this.emit(false);
  }

  /** A use succeeded. */
  restored(): void {
    if (this.downSince === null) return;
    const seconds = ((Date.now() - this.downSince) / 1000).toFixed(1);
    this.downSince = null;
    this.logger.log(`database available again after ${seconds} s`);
    this.emit(true);
  }

  onChange(listener: (available: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(available: boolean): void {
    for (const listener of this.listeners) listener(available);
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
