import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RecordPosition } from '@shoal/protocol';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { type Clock, CLOCK } from '../platform/clock.js';
import { UnknownTopicError } from '../platform/errors/index.js';
import type { AppendRecord } from '../log/domain/record.js';
import type { Topic } from '../log/domain/topic.js';
import { Database, type Sql } from '../storage/database.js';
import { idempotencyKeyStore, type KeyedPosition } from './storage/idempotency-key.store.js';
import type { PartitionHead } from '../log/storage/log.store.js';
import { scheduledRecordStore } from './storage/scheduled-record.store.js';
import { topicStore } from '../log/storage/topic.store.js';
import { type ProduceDetour, ProduceHooks } from '../log/produce.hooks.js';
import { LogAppender } from '../log/log-appender.js';
import { ChangeSignal, SCHEDULED_KEY } from '../platform/change-signal.js';

export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 86_400_000;

/** What a record of the request becomes: appended now, scheduled, or a duplicate of an earlier one. */
type Plan =
  | { kind: 'append'; record: AppendRecord }
  | { kind: 'schedule'; record: AppendRecord; deliverAt: number }
  | { kind: 'duplicate'; key: string };

/**
 * Produce of records that carry `deliverAt`/`delayMs` or an `idempotencyKey`, in one transaction
 * of their own (plain records keep the group-commit path): keys are claimed first, so a key seen
 * within the window is answered with its first record's position and nothing is written for it;
 * due-later records are stored for {@link ScheduledDeliveryService} to append; the rest are
 * appended. All or nothing, answered in request order after the commit.
 */
@Injectable()
export class JobProduceService implements ProduceDetour {
  private readonly windowMs: number;

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    private readonly hooks: ProduceHooks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SHOAL_CONFIG) config: ShoalConfig,
    private readonly signal: ChangeSignal,
  ) {
    this.windowMs = config.idempotencyWindowMs ?? DEFAULT_IDEMPOTENCY_WINDOW_MS;
    hooks.detour.fill(this);
  }

  /** Whether a record needs this path rather than plain produce. */
  wants(record: AppendRecord): boolean {
    return record.deliverAt !== undefined || record.delayMs !== undefined || record.idempotencyKey !== undefined;
  }

  async produce(topicName: string, records: AppendRecord[]): Promise<RecordPosition[]> {
    const { positions, afterCommit } = await this.database.transaction((sql) => this.write(sql, topicName, records));
    afterCommit();
    return positions;
  }

  /** {@link produce} inside a caller's transaction; `afterCommit` wakes readers and counts, once committed. */
  async write(
    sql: Sql,
    topicName: string,
    records: AppendRecord[],
  ): Promise<{ positions: RecordPosition[]; afterCommit(): void }> {
    const topic = await topicStore.findByName(sql, topicName);
    if (!topic) throw new UnknownTopicError(topicName);
    const { positions, heads, appended } = await this.writeRecords(sql, topic, records, this.clock.now());
    const afterCommit = () => {
      this.appender.announce(heads);
      // The delivery of every broker looks for due records again (see ScheduledDeliveryService).
      if (positions.some((p) => p.scheduledId !== undefined)) this.signal.notify(SCHEDULED_KEY);
      if (appended.length > 0)
        this.hooks.produced.emit(
          topicName,
          appended.length,
          appended.reduce((n, r) => n + r.size, 0),
        );
    };
    return { positions, afterCommit };
  }

  private async writeRecords(sql: Sql, topic: Topic, records: AppendRecord[], now: number) {
    const plans = await this.plan(sql, topic, records, now);
    const positions: (RecordPosition | undefined)[] = new Array(records.length);
    const appended = plans.flatMap((p) => (p.kind === 'append' ? [p.record] : []));
    let heads: PartitionHead[] = [];
    if (appended.length > 0) {
      const result = await this.appender.append(sql, [{ topic: topic.name, records: appended }]);
      const outcome = result.outcomes[0];
      if (!outcome.ok) throw outcome.error;
      heads = result.heads;
      let next = 0;
      plans.forEach((p, i) => {
        if (p.kind === 'append') positions[i] = outcome.value[next++];
      });
    }
    const byKey = new Map<string, RecordPosition>();
    for (const [i, plan] of plans.entries()) {
      if (plan.kind === 'schedule') positions[i] = await this.schedule(sql, topic, plan.record, plan.deliverAt, now);
      const key = records[i].idempotencyKey;
      if (plan.kind === 'duplicate' || key === undefined) continue;
      const position = positions[i]!;
      byKey.set(key, position);
      await idempotencyKeyStore.record(sql, topic.id, key, toKeyed(position));
    }
    const earlier = await this.earlierPositions(sql, topic, plans, byKey);
    plans.forEach((p, i) => {
      if (p.kind === 'duplicate') positions[i] = { ...(byKey.get(p.key) ?? earlier.get(p.key)!), duplicate: true };
    });
    return { positions: positions as RecordPosition[], heads, appended };
  }

  /** Claims the request's keys; a key seen within the window, or earlier in the request, is a duplicate. */
  private async plan(sql: Sql, topic: Topic, records: AppendRecord[], now: number): Promise<Plan[]> {
    const keys = [...new Set(records.flatMap((r) => (r.idempotencyKey === undefined ? [] : [r.idempotencyKey])))];
    const windowMs = topic.config.idempotencyWindowMs ?? this.windowMs;
    const claimed =
      keys.length === 0 ? new Set<string>() : await idempotencyKeyStore.claim(sql, topic.id, keys, now, now - windowMs);
    const seen = new Set<string>();
    return records.map((record): Plan => {
      const key = record.idempotencyKey;
      if (key !== undefined) {
        if (seen.has(key) || !claimed.has(key)) return { kind: 'duplicate', key };
        seen.add(key);
      }
      const deliverAt = record.deliverAt ?? (record.delayMs === undefined ? undefined : now + record.delayMs);
      if (deliverAt !== undefined && deliverAt > now) return { kind: 'schedule', record, deliverAt };
      // Due already: appended now, with the partition chosen as for any record.
      return { kind: 'append', record };
    });
  }

  private async schedule(
    sql: Sql,
    topic: Topic,
    record: AppendRecord,
    deliverAt: number,
    now: number,
  ): Promise<RecordPosition> {
    const id = randomUUID();
    const partition = this.appender.partitionFor(topic, record);
    await scheduledRecordStore.insert(
      sql,
      {
        id,
        topicId: topic.id,
        partition,
        deliverAt,
        timestamp: record.timestamp,
        key: record.key,
        value: record.value,
        headers: record.headers,
        size: record.size,
        idempotencyKey: record.idempotencyKey ?? null,
      },
      now,
    );
    return { partition, offset: -1, scheduledId: id, deliverAt };
  }

  private async earlierPositions(
    sql: Sql,
    topic: Topic,
    plans: Plan[],
    fresh: Map<string, RecordPosition>,
  ): Promise<Map<string, RecordPosition>> {
    const keys = [...new Set(plans.flatMap((p) => (p.kind === 'duplicate' && !fresh.has(p.key) ? [p.key] : [])))];
    if (keys.length === 0) return new Map();
    const stored = await idempotencyKeyStore.positions(sql, topic.id, keys);
    return new Map([...stored].map(([key, p]) => [key, fromKeyed(p)]));
  }
}

function toKeyed(position: RecordPosition): KeyedPosition {
  return {
    partition: position.partition,
    offset: position.offset,
    scheduledId: position.scheduledId ?? null,
    deliverAt: position.deliverAt ?? null,
  };
}

function fromKeyed(p: KeyedPosition): RecordPosition {
  const position: RecordPosition = { partition: p.partition, offset: p.offset };
  if (p.offset < 0 && p.scheduledId !== null) {
    position.scheduledId = p.scheduledId;
    if (p.deliverAt !== null) position.deliverAt = p.deliverAt;
  }
  return position;
}
