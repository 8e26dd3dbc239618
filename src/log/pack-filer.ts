import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type Clock, CLOCK } from '../platform/clock.js';
import { PeriodicTask } from '../platform/periodic-task.js';
import { yieldToEventLoop } from '../platform/yield-to-event-loop.js';
import { Database } from '../storage/database.js';
import { LogAppender } from './log-appender.js';
import { FILE_STEP_PACKS, packReads, recordPacks } from './storage/record-packs.store.js';

const FILE_INTERVAL_MS = 25;
/** The broker counts as idle once no append came and no read was served from packs for this long. */
const IDLE_MS = 30;

/**
 * Files packed appends (`record-packs.store.ts`) in the background while no produce runs, a
 * few packs per transaction, so packs do not linger until a reader needs them. Readers file
 * what they read themselves (a share fetch reads packs as they are); this moves that work
 * out of their way, into the pauses. The database is the
 * truth: a broker starts by looking (an earlier process may have left packs), then looks again
 * whenever this process has packed since it last found none.
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
    if (this.database.kind !== 'postgres') this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.task.stop();
  }

  /** Files packs step by step until none is left or a produce comes; answers how many packs. */
  async fileWhileIdle(): Promise<number> {
    let filed = 0;
    while (!this.stopped && this.appender.packs !== this.emptyAt && this.idle()) {
      const packsBefore = this.appender.packs;
      const n = await this.step();
      if (n === 0) {
        this.emptyAt = packsBefore;
        break;
      }
      filed += n;
      await yieldToEventLoop();
    }
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
