import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Clock, CLOCK } from '../platform/clock.js';
import { PeriodicTask } from '../platform/periodic-task.js';
import { Database } from '../storage/database.js';
import { LogAppender } from './log-appender.js';
import { FILE_STEP_PACKS, packReads, recordPacks } from './storage/record-packs.store.js';

const FILE_INTERVAL_MS = 25;
/**
 * The broker counts as idle once no append started and no read was served from packs for this
 * long: longer than a fresh broker's first produces take from one append to the next (cold code,
 * 10–40 ms), so that filing never takes the connection between a client's requests.
 */
const IDLE_MS = 100;

/**
 * Files packed appends (`record-packs.store.ts`) in the background while no produce runs: one
 * pack ({@link FILE_STEP_PACKS}) per step, at most one step per {@link FILE_INTERVAL_MS}, so
 * packs do not linger until a reader needs them. Readers file what they read themselves (a
 * share fetch reads packs as they are); this moves that work out of their way, into the
 * pauses, slowly: a drain's 50,000 records are filed over seconds of quiet, not in one burst
 * of inserts (and WAL frames to checkpoint) in front of whatever comes next. The database is
 * the truth: a broker starts by looking (an earlier process may have left packs), then looks
 * again whenever this process has packed since it last found none. On PostgreSQL packs another
 * running broker made are left to it (or to the readers, which file what they read).
 */
@Injectable()
export class PackFiler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PackFiler.name);
  private readonly task = new PeriodicTask('pack filing', FILE_INTERVAL_MS, () => this.fileWhileIdle(), this.logger);
  /** The appender's pack count when the database last had none; -1: look. */
  private emptyAt = -1;
  private stopped = false;
  /** {@link packReads}' count as last seen, and when it was seen to move. */
  private readsSeen = -1;
  private readsMovedAt = 0;

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
  }

  /** Files one step's packs if the broker is idle; answers how many (0: none left, or busy). */
  async fileWhileIdle(): Promise<number> {
    if (this.stopped || this.appender.packs === this.emptyAt || !this.idle()) return 0;
    const packsBefore = this.appender.packs;
    const filed = await this.step();
    if (filed === 0) this.emptyAt = packsBefore;
    return filed;
  }

  /** No append and no read from packs for {@link IDLE_MS} (a drain reading packs is left to it). */
  private idle(): boolean {
    const now = this.clock.now();
    if (packReads.count !== this.readsSeen) {
      this.readsSeen = packReads.count;
      this.readsMovedAt = now;
    }
    return this.appender.idleFor() >= IDLE_MS && now - this.readsMovedAt >= IDLE_MS;
  }

  /** Files up to {@link FILE_STEP_PACKS} packs in a transaction of its own; answers how many (0: none left). */
  step(): Promise<number> {
    // Not waiting for its flush: lost in a crash, the packs are simply still there.
    return this.database.transaction((sql) => recordPacks.fileSome(sql, FILE_STEP_PACKS), { durable: false });
  }
}
