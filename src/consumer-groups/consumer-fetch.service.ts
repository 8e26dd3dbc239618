import { Inject, Injectable } from '@nestjs/common';
import type { ConsumerFetchResponse, WireRecord } from '@shoal/protocol';
import type { ConsumerMember, GroupPartition } from './domain/consumer-group.js';
import { decodeRecord } from '../log/domain/record-codec.js';
import { consumerGroupStore as store } from './storage/consumer-group.store.js';
import { readWithinBudget } from '../log/storage/record-budget.js';
import { DEFAULT_SECURITY, type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { topicStore } from '../log/storage/topic.store.js';
import { appendKey, ChangeSignal, groupKey, type WaitTiming } from '../platform/change-signal.js';
import { ConsumerGroupCoordinator, type LockedGroup } from './consumer-group.coordinator.js';

export interface ConsumerFetchOptions {
  maxRecords: number;
  maxWaitMs: number;
  /** Adds up the time spent waiting (the request's timing). */
  timing?: WaitTiming;
}

interface FetchResult {
  groupId: number;
  response: ConsumerFetchResponse;
  owned: GroupPartition[];
}

/**
 * A consumer-group member's fetch: the records of the partitions it holds, each continuing
 * from the position stored with the partition (so any broker process can answer the next
 * fetch), long-polling for appends and for changes of its assignment.
 */
@Injectable()
export class ConsumerFetchService {
  /** Where each member's next fetch starts among its partitions, for fairness. */
  private readonly rotation = new Map<string, number>();

  constructor(
    private readonly coordinator: ConsumerGroupCoordinator,
    private readonly signal: ChangeSignal,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
  ) {}

  async fetch(group: string, memberId: string, options: ConsumerFetchOptions): Promise<ConsumerFetchResponse> {
    const first = await this.fetchOnce(group, memberId, options);
    if (first.response.records.length > 0 || options.maxWaitMs <= 0) return first.response;
    const deadline = Date.now() + options.maxWaitMs;
    for (;;) {
      const waiter = this.signal.waiter(
        [groupKey('consumer', first.groupId), ...first.owned.map((p) => appendKey(p.topicId, p.partition))],
        options.timing,
      );
      try {
        const remaining = deadline - Date.now();
        const again = await this.fetchOnce(group, memberId, options);
        if (
          again.response.records.length > 0 ||
          again.response.generation !== first.response.generation ||
          !sameAssignment(first, again) ||
          remaining <= 0 ||
          this.signal.closed
        ) {
          return again.response;
        }
        // A wake-up that finds nothing (a late notification from another broker) waits again.
        await waiter.wait(remaining);
      } finally {
        waiter.cancel();
      }
    }
  }

  /**
   * One look: the member's view reconciled, its records read, its positions moved on. Not
   * flushed before the answer (Kafka does not persist a consumer's position either; committed
   * offsets are): lost in a crash, the positions are as last flushed and the records after them
   * are read again. The answer still waits for the flush of every commit it may have read.
   */
  private fetchOnce(group: string, memberId: string, options: ConsumerFetchOptions): Promise<FetchResult> {
    return this.coordinator.withMember(
      group,
      memberId,
      async (locked, member) => {
        // A member waiting in a fetch is alive for the length of its wait.
        const { generation, owned, assignment, names } = await this.coordinator.answer(
          locked,
          member,
          options.maxWaitMs,
        );
        const records = await this.readOwned(locked, member, owned, names, options.maxRecords);
        return { groupId: locked.group.id, owned, response: { records, generation, assignment } };
      },
      { durable: false },
    );
  }

  private async readOwned(
    locked: LockedGroup,
    member: ConsumerMember,
    owned: GroupPartition[],
    names: Map<number, string>,
    maxRecords: number,
  ): Promise<WireRecord[]> {
    const { sql, group } = locked;
    const records: WireRecord[] = [];
    if (owned.length === 0) return records;
    let committed: Map<string, number> | undefined;
    const start = (this.rotation.get(member.memberId) ?? 0) % owned.length;
    this.rotation.set(member.memberId, start + 1);
    let budget = (this.config.security ?? DEFAULT_SECURITY).maxResponseBytes;
    for (let i = 0; i < owned.length && records.length < maxRecords && (budget > 0 || records.length === 0); i++) {
      const p = owned[(start + i) % owned.length];
      const window = await topicStore.partition(sql, p.topicId, p.partition);
      if (!window) continue;
      let position = p.position;
      if (position === null) {
        committed ??= await store.committedOffsets(sql, group.id);
        position =
          committed.get(`${p.topicId}:${p.partition}`) ??
          (member.autoOffsetReset === 'earliest' ? window.startOffset : window.endOffset);
      }
      // Retention may have removed records below the position: continue from the start.
      position = Math.min(Math.max(position, window.startOffset), window.endOffset);
      const stored =
        position < window.endOffset
          ? await readWithinBudget(
              sql,
              p.topicId,
              p.partition,
              position,
              maxRecords - records.length,
              budget,
              records.length === 0,
            )
          : [];
      for (const record of stored) {
        budget -= record.size;
        records.push(decodeRecord(names.get(p.topicId)!, p.partition, record));
      }
      const next = stored.length > 0 ? stored[stored.length - 1].offset + 1 : position;
      if (next !== p.position) await store.setPosition(sql, group.id, p.topicId, p.partition, next);
    }
    return records;
  }
}

function sameAssignment(a: FetchResult, b: FetchResult): boolean {
  const key = (r: FetchResult) => r.owned.map((p) => `${p.topicId}:${p.partition}`).join(',');
  return key(a) === key(b);
}
