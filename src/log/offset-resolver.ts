import { Injectable } from '@nestjs/common';
import type { ResetTarget } from '@shoal/protocol';
import { OffsetOutOfRangeError, UnknownPartitionError } from '../platform/errors/index.js';
import type { Sql } from '../storage/database.js';
import { logStore } from './storage/log.store.js';
import { topicStore } from './storage/topic.store.js';
import { requireTopic } from './topic.service.js';

/** Turns an offset reset's target into an offset per partition, for consumer and share groups. */
@Injectable()
export class OffsetResolver {
  /** One partition, or every partition of the topic; all or none (OFFSET_OUT_OF_RANGE). */
  async resolve(
    sql: Sql,
    topicName: string,
    partition: number | undefined,
    to: ResetTarget,
  ): Promise<{ topicId: number; partition: number; offset: number }[]> {
    const topic = await requireTopic(sql, topicName);
    if (partition !== undefined && partition >= topic.partitionCount)
      throw new UnknownPartitionError(topicName, partition);
    const windows = (await topicStore.partitions(sql, topic.id)).filter(
      (w) => partition === undefined || w.partition === partition,
    );
    const resolved = [];
    for (const window of windows) {
      let offset: number;
      if (to === 'earliest') offset = window.startOffset;
      else if (to === 'latest') offset = window.endOffset;
      else if ('offset' in to) {
        if (to.offset < window.startOffset || to.offset > window.endOffset)
          throw new OffsetOutOfRangeError(to.offset, window.startOffset, window.endOffset);
        offset = to.offset;
      } else
        offset = await logStore.firstOffsetAtOrAfter(
          sql,
          topic.id,
          window.partition,
          window.startOffset,
          window.endOffset,
          to.timestamp,
        );
      resolved.push({ topicId: topic.id, partition: window.partition, offset });
    }
    return resolved;
  }
}
