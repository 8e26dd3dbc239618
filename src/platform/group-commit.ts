/** What a flush answers for each submitted item: its result, or the error that failed it alone. */
export type Outcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while a flush is running wait and go together in the next
 * flush, so many concurrent small requests cost one transaction. With no flush running, an
 * item is flushed as soon as the code that submitted it is done — no timer, no added latency
 * when idle.
 */
export class GroupCommit<I, O> {
  private queue: Pending<I, O>[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<Outcome<O>[]>,
    private readonly weigh: (item: I) => number = () => 1,
    private readonly maxWeight = Number.POSITIVE_INFINITY,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) {
        // Start once the current job is done, not now: items submitted in the same synchronous
        // run join this first flush; the requests read meanwhile join the next. Not on the next
        // turn of the event loop: a lone request (the latency path) would wait for a whole turn.
        this.flushing = true;
        queueMicrotask(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          const outcomes = await this.flush(batch.map((p) => p.item));
          batch.forEach((pending, i) => {
            const outcome = outcomes[i];
            if (outcome.ok) pending.resolve(outcome.value);
            else pending.reject(outcome.error);
          });
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The oldest items up to `maxWeight` (always at least one). */
  private take(): Pending<I, O>[] {
    let weight = 0;
    let count = 0;
    while (count < this.queue.length) {
      const next = this.weigh(this.queue[count].item);
      if (count > 0 && weight + next > this.maxWeight) break;
      weight += next;
      count++;
    }
    return this.queue.splice(0, count);
  }
}
