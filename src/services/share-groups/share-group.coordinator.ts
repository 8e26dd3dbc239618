import { Inject, Injectable } from '@nestjs/common';
import { type Clock, CLOCK } from '../../domain/clock.js';
import { ShoalMetrics } from '../../metrics/shoal-metrics.js';
import { DEFAULT_SHARE_GROUP_CONFIG } from '../../domain/share-group/share-group-config.js';
import { Database } from '../../storage/database.js';
import { shareGroupStore as store } from '../../storage/share-group.store.js';
import { ChangeSignal, groupKey } from '../../common/change-signal.js';
import { LogAppender } from '../log/log-appender.js';
import { SharePartitionCoordinator } from './share-partition.coordinator.js';
import { ShareGroupTransaction } from './share-group.transaction.js';

/**
 * What every share-group operation shares: one transaction holding the group's row, members
 * whose session ran out removed (their records released at once), and after the commit the
 * wake-ups, dead-letter announcements and metrics of what happened.
 */
@Injectable()
export class ShareGroupCoordinator {
  constructor(
    private readonly database: Database,
    private readonly partitions: SharePartitionCoordinator,
    private readonly signal: ChangeSignal,
    private readonly appender: LogAppender,
    private readonly metrics: ShoalMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Runs `work` in one transaction with the group's row locked (`membership`: exclusively) and
   * its expired members gone. A group that does not exist is created when `create`, else
   * `missing()` is thrown.
   */
  async withGroup<T>(
    name: string,
    missing: () => Error,
    work: (tx: ShareGroupTransaction) => Promise<T>,
    options: { create?: boolean; membership?: boolean; now?: number } = {},
  ): Promise<T> {
    let tx: ShareGroupTransaction | undefined;
    const result = await this.database.transaction(async (sql) => {
      const now = options.now ?? this.clock.now();
      if (options.create) await store.create(sql, name, DEFAULT_SHARE_GROUP_CONFIG, now);
      const group = await store.find(sql, name, options.create || options.membership ? 'update' : 'share');
      if (!group) throw missing();
      tx = new ShareGroupTransaction(sql, group, await store.members(sql, group.id), now, this.partitions);
      await tx.removeExpiredMembers();
      return work(tx);
    });
    this.afterCommit(tx!);
    return result;
  }

  private afterCommit(tx: ShareGroupTransaction): void {
    const { activity, group } = tx;
    this.appender.announce(activity.deadLetterHeads);
    if (activity.released || tx.changed) this.signal.notify(groupKey('share', group.id));
    this.metrics.shareActivity(group.name, activity);
  }
}
