import { Logger } from '@nestjs/common';
import { consumerGroupStore } from '../../consumer-groups/storage/consumer-group.store.js';
import type { AppendRecord } from '../../log/domain/record.js';
import type { LogAppender } from '../../log/log-appender.js';
import type { PartitionHead } from '../../log/storage/log.store.js';
import { topicStore } from '../../log/storage/topic.store.js';
import type { Sql } from '../../storage/database.js';
import { decodeRecordBatches } from '../protocol/record-batch.js';
import { appendRecordOf } from '../records/kafka-records.js';
import { kafkaTxnStore, type TxnOffset } from '../storage/kafka-txn.store.js';

/** What a committed transaction appended: the partitions that grew (to wake their readers) and records per topic. */
export interface Applied {
  heads: PartitionHead[];
  produced: { topic: string; records: number; bytes: number }[];
}

const logger = new Logger('KafkaTransactions');

/**
 * EndTxn(commit), inside the caller's database transaction: the open transaction's batches are
 * appended to the log (per partition in the order produced, as plain records: the log holds
 * only committed data) and its offsets are committed to their consumer groups; then both are
 * forgotten. Records of a topic deleted since they were produced are dropped with it.
 */
export async function applyTransaction(
  sql: Sql,
  appender: LogAppender,
  transactionalId: string,
  now: number,
): Promise<Applied> {
  const byTopic = new Map<string, AppendRecord[]>();
  for (const batch of await kafkaTxnStore.batches(sql, transactionalId)) {
    const records = byTopic.get(batch.topic) ?? [];
    for (const decoded of decodeRecordBatches(batch.records))
      for (const record of decoded.records) records.push(appendRecordOf(record, batch.partition));
    byTopic.set(batch.topic, records);
  }
  const requests = [...byTopic].map(([topic, records]) => ({ topic, records }));
  const appended = requests.length > 0 ? await appender.append(sql, requests) : { outcomes: [], heads: [] };
  const produced: Applied['produced'] = [];
  appended.outcomes.forEach((outcome, i) => {
    const { topic, records } = requests[i]!;
    if (outcome.ok) produced.push({ topic, records: records.length, bytes: records.reduce((n, r) => n + r.size, 0) });
    else
      logger.warn(
        `transaction ${transactionalId}: ${records.length} records for ${topic} dropped: ${String(outcome.error)}`,
      );
  });
  await commitOffsets(sql, await kafkaTxnStore.offsets(sql, transactionalId), now);
  await kafkaTxnStore.discard(sql, transactionalId);
  return { heads: appended.heads, produced };
}

/** The transaction's offsets into each group's committed offsets (the group is created if it is new). */
async function commitOffsets(sql: Sql, offsets: TxnOffset[], now: number): Promise<void> {
  if (offsets.length === 0) return;
  const topics = new Map(
    (await topicStore.findByNames(sql, [...new Set(offsets.map((o) => o.topic))])).map((t) => [t.name, t]),
  );
  for (const name of new Set(offsets.map((o) => o.group))) {
    await consumerGroupStore.create(sql, name, now);
    const group = await consumerGroupStore.find(sql, name, true);
    if (!group) continue;
    const rows = offsets.flatMap((o) => {
      const topic = topics.get(o.topic);
      if (o.group !== name || !topic || o.partition >= topic.partitionCount) return [];
      return [{ topicId: topic.id, partition: o.partition, offset: Math.max(0, o.offset), metadata: o.metadata }];
    });
    if (rows.length > 0) await consumerGroupStore.commit(sql, group.id, rows);
  }
}
