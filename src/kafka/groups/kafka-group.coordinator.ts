import { Inject, Injectable, Optional } from '@nestjs/common';
import { ChangeSignal, groupKey } from '../../platform/change-signal.js';
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';
import { type Clock, CLOCK } from '../../platform/clock.js';
import { DEFAULT_INITIAL_REBALANCE_DELAY_MS } from './domain/kafka-group.js';
import { consumerGroupStore } from '../../consumer-groups/storage/consumer-group.store.js';
import { Database, type Sql } from '../../storage/database.js';
import { kafkaGroupStore, kafkaSessionStore } from '../storage/kafka-group.store.js';
import { GroupSessions, type WithGroupOptions } from '../../groups/group-sessions.js';
import { KafkaGroupTransaction } from './kafka-group.transaction.js';

/**
 * Opens Kafka groups for one transaction each: the consumer group's row locked (so HTTP and
 * Kafka changes to one group go one at a time, on any broker), expired members removed, an
 * overdue join round ended. Commits wake the joins and syncs that wait on the group. The
 * session sweep (every second) does the same for groups nobody is calling.
 */
@Injectable()
export class KafkaGroupCoordinator extends GroupSessions<KafkaGroupTransaction> {
  private readonly initialDelayMs: number;

  constructor(
    database: Database,
    private readonly signal: ChangeSignal,
    @Inject(CLOCK) clock: Clock,
    @Optional() @Inject(SHOAL_CONFIG) config?: ShoalConfig,
  ) {
    super(database, clock, kafkaSessionStore, 'kafka');
    this.initialDelayMs = config?.kafkaGroupInitialRebalanceDelayMs ?? DEFAULT_INITIAL_REBALANCE_DELAY_MS;
  }

  protected async begin(
    sql: Sql,
    name: string,
    now: number,
    options: WithGroupOptions,
  ): Promise<KafkaGroupTransaction | null> {
    if (options.create) await consumerGroupStore.create(sql, name, now);
    const group = await consumerGroupStore.find(sql, name, true);
    if (!group) return null;
    const tx = new KafkaGroupTransaction(
      sql,
      group,
      await kafkaGroupStore.find(sql, group.id),
      await kafkaGroupStore.members(sql, group.id),
      now,
      this.initialDelayMs,
    );
    await tx.expire();
    await tx.completeRoundIfDue();
    return tx;
  }

  protected afterCommit(tx: KafkaGroupTransaction): void {
    if (tx.changed) this.signal.notify(groupKey('consumer', tx.group.id));
  }
}
