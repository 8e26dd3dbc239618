import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { ChangeSignal, settledKey, type WaitTiming } from '../platform/change-signal.js';
import type { JobView } from '@shoal/protocol';
import { OffsetOutOfRangeError, UnknownIdempotencyKeyError, UnknownPartitionError } from '../platform/errors/index.js';
import type { ShareGroupTransaction } from '../share-groups/share-group.transaction.js';
import { publicMemberId } from '../security/domain/member-id.js';
import { RecordState } from '../share-groups/domain/record-state.js';
import { ShareGroupCoordinator } from '../share-groups/share-group.coordinator.js';
import { sharePartitionStore } from '../share-groups/storage/share-partition.store.js';
import { type JobRow, shareJobStore } from '../share-groups/storage/share-job.store.js';
import { requireTopic } from '../log/topic.service.js';
import type { Topic } from '../log/domain/topic.js';
import { topicStore } from '../log/storage/topic.store.js';
import { idempotencyKeyStore } from '../jobs/storage/idempotency-key.store.js';
import { readShareGroupNow, shareWindow, STATE_NAMES } from './share-in-flight.service.js';

/** What a job that was never handed out, or is past the share-partition's start, shows. */
const UNTOUCHED = {
  outcome: null,
  deliveryCount: 0,
  memberId: null,
  lockExpiresAt: null,
  availableAt: null,
  progress: null,
  result: null,
  reason: null,
} as const;

/**
 * One job by its identity in a share group — its topic, partition and offset, or the
 * idempotency key it was produced with — as in force now (locks that ran out applied first):
 * state, delivery count, holder, lock expiry and next availability.
 */
/** States a job does not leave: what a wait for it waits for. */
const FINAL = new Set<JobView['state']>(['acknowledged', 'archived', 'finished']);

/** Where a job is: its coordinates, or the idempotency key it was produced with. */
export type JobIdentity = { partition: number; offset: number } | { idempotencyKey: string };

@Injectable()
export class ShareJobService {
  constructor(
    private readonly coordinator: ShareGroupCoordinator,
    private readonly signal: ChangeSignal,
  ) {}

  /**
   * The job as in force now; with `waitMs`, a long poll: answers as soon as the job is
   * acknowledged, archived or finished (woken by the commit that settles a record of the group,
   * on any broker), else with its state when `waitMs` runs out.
   */
  async find(group: string, topic: string, job: JobIdentity, waitMs = 0, timing?: WaitTiming): Promise<JobView> {
    const read = () =>
      'idempotencyKey' in job
        ? this.byIdempotencyKey(group, topic, job.idempotencyKey)
        : this.byOffset(group, topic, job.partition, job.offset);
    const deadline = performance.now() + waitMs;
    for (;;) {
      // Registered before the read, so a settle between the read and the wait is not missed.
      const waiter = waitMs > 0 ? this.signal.waiter([settledKey(group)], timing) : undefined;
      try {
        const found = await read();
        const left = deadline - performance.now();
        if (!waiter || FINAL.has(found.state) || left <= 0 || this.signal.closed) return found;
        if (!(await waiter.wait(left))) return read();
      } finally {
        waiter?.cancel();
      }
    }
  }

  byOffset(group: string, topic: string, partition: number, offset: number): Promise<JobView> {
    return readShareGroupNow(this.coordinator, group, async (tx) =>
      this.at(tx, await requireTopic(tx.sql, topic), partition, offset),
    );
  }

  /** The job produced with `key` on `topic` (within the topic's idempotency window): scheduled, or in the log. */
  byIdempotencyKey(group: string, topic: string, key: string): Promise<JobView> {
    return readShareGroupNow(this.coordinator, group, async (tx) => {
      const found = await requireTopic(tx.sql, topic);
      const position = (await idempotencyKeyStore.positions(tx.sql, found.id, [key])).get(key);
      if (!position || (position.offset < 0 && position.scheduledId === null))
        throw new UnknownIdempotencyKeyError(topic, key);
      if (position.offset < 0)
        return {
          topic,
          partition: position.partition,
          offset: -1,
          state: 'scheduled',
          ...UNTOUCHED,
          scheduledId: position.scheduledId!,
          deliverAt: position.deliverAt!,
        };
      return this.at(tx, found, position.partition, position.offset);
    });
  }

  private async at(tx: ShareGroupTransaction, topic: Topic, partition: number, offset: number): Promise<JobView> {
    const { sql } = tx;
    const groupId = tx.group.id;
    const log = partition < topic.partitionCount ? await topicStore.partition(sql, topic.id, partition) : null;
    if (!log) throw new UnknownPartitionError(topic.name, partition);
    if (offset >= log.endOffset) throw new OffsetOutOfRangeError(offset, log.startOffset, log.endOffset);
    const job = { topic: topic.name, partition, offset };
    const key = { groupId, topicId: topic.id, partition };
    const window = await shareWindow(tx, topic.id, partition);
    const notes = noted(await shareJobStore.find(sql, key, offset, tx.now));
    // Before the start offset every record is finished (accepted or rejected: its outcome, while
    // the group keeps results); offsets never handed out have no state yet.
    if (window && offset < window.startOffset)
      return { ...job, state: 'finished', ...UNTOUCHED, ...notes, outcome: notes.outcome ?? null };
    const record = window ? (await sharePartitionStore.records(sql, key, [offset])).get(offset) : undefined;
    if (!record) return { ...job, state: 'available', ...UNTOUCHED };
    return {
      ...job,
      state: STATE_NAMES[record.state] ?? 'available',
      outcome:
        record.state === RecordState.Acknowledged
          ? 'accepted'
          : record.state === RecordState.Archived
            ? 'rejected'
            : null,
      deliveryCount: record.deliveryCount,
      // The holder by the public half of its id: the secret half would let a reader act as it.
      memberId: record.memberId === null ? null : publicMemberId(record.memberId),
      lockExpiresAt: record.lockExpiresAt,
      availableAt: record.availableAt,
      progress: notes.progress,
      result: notes.result,
      reason: notes.reason,
    };
  }
}

/** A job's notes as the view shows them: progress and result parsed, absent ones null. */
function noted(row: JobRow | null): Pick<JobView, 'progress' | 'result' | 'reason'> & { outcome?: JobView['outcome'] } {
  if (!row) return { progress: null, result: null, reason: null };
  return {
    progress: row.progress === null ? null : (JSON.parse(row.progress) as unknown),
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    reason: row.reason,
    ...(row.outcome === null ? {} : { outcome: row.outcome }),
  };
}
