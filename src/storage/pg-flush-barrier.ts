/**
 * PostgreSQL's answer to "is what I committed without waiting for its flush on disk yet?": a
 * statement that writes a little WAL in a transaction of its own (a transactional logical
 * message, which no reader sees) commits with `synchronous_commit` on, so it returns once the
 * WAL up to its commit record is flushed, and with it every commit made before it was sent.
 * Callers arriving while one is under way share the next one: one flush for all of them.
 *
 * This lets a transaction commit with `synchronous_commit = off` — its row locks released at
 * once, not after the WAL flush — and still be answered only once it is on disk.
 */
export class PgFlushBarrier {
  static readonly STATEMENT = "SELECT pg_logical_emit_message(true, 'shoal.flush', '')";

  /** Waiting for the next barrier, which has not been sent yet. */
  private next: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;
  private running = false;

  /** `run`: sends {@link STATEMENT} on a connection of the pool, outside a transaction. */
  constructor(private readonly run: () => Promise<unknown>) {}

  /** Resolves once every commit this server made before the call is on disk. */
  flushed(): Promise<void> {
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.next = { promise, resolve, reject };
    }
    const { promise } = this.next;
    if (!this.running) void this.send();
    return promise;
  }

  private async send(): Promise<void> {
    while (this.next) {
      const waiting = this.next;
      this.next = undefined;
      this.running = true;
      try {
        await this.run();
        waiting.resolve();
      } catch (error) {
        waiting.reject(error);
      } finally {
        this.running = false;
      }
    }
  }
}
