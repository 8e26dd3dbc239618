/**
 * When the WAL checkpointer copies the log into the database file. A checkpoint syncs the WAL,
 * writes the pages and syncs the database file; the WAL flush a commit's answer waits for
 * queues behind those syncs on the disk, so a checkpoint taken while requests are under way
 * slows the ones in flight. Under writes it copies once `busyFrames` frames wait (SQLite's own
 * threshold); once nothing has been written for `quietMs`, already when `idleFrames` wait, so
 * what a burst left (a drain, a batch of produces) is copied in the pause after it rather than
 * on the first requests of the next one, and the writer starts the log over from its beginning.
 */
export class WalCheckpointPolicy {
  private frames = -1;
  private changedAt = 0;

  constructor(
    private readonly idleFrames: number,
    private readonly busyFrames: number,
    private readonly quietMs: number,
  ) {}

  /**
   * Whether to checkpoint now, from the WAL index header read at `now` (ms): `frames` in the
   * log (`mxFrame`), `backfilled` of them already copied (`nBackfill`).
   */
  due(frames: number, backfilled: number, now: number): boolean {
    if (frames !== this.frames) {
      this.frames = frames;
      this.changedAt = now;
    }
    const waiting = frames - backfilled;
    if (waiting >= this.busyFrames) return true;
    return waiting >= this.idleFrames && now - this.changedAt >= this.quietMs;
  }
}
