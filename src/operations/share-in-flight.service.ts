import { Injectable } from '@nestjs/common';
import type { InFlightRecordList, InFlightState } from '@shoal/protocol';
import { UnknownGroupError, UnknownPartitionError } from '../platform/errors/index.js';
import { publicMemberId } from '../security/domain/member-id.js';
import { RecordState } from '../share-groups/domain/record-state.js';
import { operationsStore } from './storage/operations.store.js';
import type { ShareWindow } from '../share-groups/storage/share-partition.store.js';
import type { ShareGroupTransaction } from '../share-groups/share-group.transaction.js';
import { requireTopic } from '../log/topic.service.js';
import { ShareGroupCoordinator } from '../share-groups/share-group.coordinator.js';

export const STATE_NAMES: Record<number, InFlightState> = {
  [RecordState.Available]: 'available',
  [RecordState.Acquired]: 'acquired',
  [RecordState.Acknowledged]: 'acknowledged',
  [RecordState.Archived]: 'archived',
};

/** A share-partition's in-flight records (state, holder, delivery count, lock expiry), as in force now. */
@Injectable()
export class ShareInFlightService {
  constructor(private readonly coordinator: ShareGroupCoordinator) {}

  list(
    group: string,
    topic: string,
    partition: number,
    fromOffset: number,
    limit: number,
  ): Promise<InFlightRecordList> {
    return readShareGroupNow(this.coordinator, group, async (tx) => {
      const found = await requireTopic(tx.sql, topic);
      if (partition >= found.partitionCount) throw new UnknownPartitionError(topic, partition);
      const window = await shareWindow(tx, found.id, partition);
      if (!window) return { startOffset: 0, endOffset: 0, records: [] };
      const from = Math.max(fromOffset, window.startOffset);
      const rows = await operationsStore.inFlight(tx.sql, tx.group.id, found.id, partition, from, limit);
      return {
        startOffset: window.startOffset,
        endOffset: window.endOffset,
        // The holder by the public half of its id: the secret half would let a reader act as it.
        records: rows.map((r) => ({
          ...r,
          memberId: r.memberId === null ? null : publicMemberId(r.memberId),
          state: STATE_NAMES[r.state] ?? 'available',
        })),
      };
    });
  }
}

/** Runs `work` in the share group's transaction, the locks that ran out applied first: what operator reads show. */
export function readShareGroupNow<T>(
  coordinator: ShareGroupCoordinator,
  group: string,
  work: (tx: ShareGroupTransaction) => Promise<T>,
): Promise<T> {
  return coordinator.withGroup(
    group,
    () => new UnknownGroupError(group),
    async (tx) => {
      await tx.applyLockExpiries();
      return work(tx);
    },
  );
}

/** The group's share-partition of (topic, partition), if the group has opened it. */
export async function shareWindow(
  tx: ShareGroupTransaction,
  topicId: number,
  partition: number,
): Promise<ShareWindow | undefined> {
  return (await tx.windows()).find((w) => w.topicId === topicId && w.partition === partition);
}
