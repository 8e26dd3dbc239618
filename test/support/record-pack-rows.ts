import { jest } from '@jest/globals';
import { PackFiler } from '../../src/log/pack-filer.js';
import type { LogContext } from './log-context.js';

/** What the packed-append suites compare: a topic's packs, rows and partition windows, read on `log`'s database. */

const TOPIC_ID = '(SELECT id FROM shoal_topic WHERE name = $1)';

/** How many packs the topic has. */
export async function packCount(log: LogContext, topic: string): Promise<number> {
  const [row] = await log.database.run((sql) =>
    sql.rows<{ n: number }>(`SELECT COUNT(*) AS n FROM shoal_record_pack WHERE topic_id = ${TOPIC_ID}`, [topic]),
  );
  return Number(row.n);
}

/** The stored rows of a topic, every column but the topic id. */
export function storedRows(log: LogContext, topic: string): Promise<unknown[]> {
  return log.database.run((sql) =>
    sql.rows(
      `SELECT partition_id, record_offset, timestamp, max_timestamp, record_key, key_bytes, value_json, value_bytes, headers, size
       FROM shoal_record WHERE topic_id = ${TOPIC_ID} ORDER BY partition_id, record_offset`,
      [topic],
    ),
  );
}

/** The topic's partition rows: windows, max timestamps, stored bytes. */
export function partitionRows(log: LogContext, topic: string): Promise<unknown[]> {
  return log.database.run((sql) =>
    sql.rows(
      `SELECT partition_id, start_offset, end_offset, max_timestamp, byte_size FROM shoal_partition
       WHERE topic_id = ${TOPIC_ID} ORDER BY partition_id`,
      [topic],
    ),
  );
}

/** The packs and rows left of the topic with this id (a deleted topic's, say). */
export async function recordsLeft(log: LogContext, topicId: number): Promise<number> {
  const [row] = await log.database.run((sql) =>
    sql.rows<{ n: number }>(
      'SELECT (SELECT COUNT(*) FROM shoal_record_pack WHERE topic_id = $1) + (SELECT COUNT(*) FROM shoal_record WHERE topic_id = $1) AS n',
      [topicId],
    ),
  );
  return Number(row.n);
}

/** Every record of the topic as a new share group (`s-<topic>`, from the earliest) fetches them, without topic and lock time. */
export async function sharedRecords(log: LogContext, topic: string) {
  await log.shares.updateConfig(`s-${topic}`, { autoOffsetReset: 'earliest' });
  const { memberId } = await log.shares.join(`s-${topic}`, { topics: [topic] });
  const fetched = await log.shareFetch.fetch(`s-${topic}`, memberId, { maxRecords: 10_000, maxWaitMs: 0, acks: [] });
  return fetched.records.map(({ topic: _topic, lockExpiresAt: _until, ...record }) => record);
}

/** Every record of the topic as a new consumer group (`c-<topic>`, from the earliest) fetches them, without topic. */
export async function consumedRecords(log: LogContext, topic: string) {
  const { memberId } = await log.groups.join(`c-${topic}`, { topics: [topic], autoOffsetReset: 'earliest' });
  const { records } = await log.consumerFetch.fetch(`c-${topic}`, memberId, { maxRecords: 10_000, maxWaitMs: 0 });
  return records.map(({ topic: _topic, ...record }) => record);
}

/**
 * Runs `work` with `log`'s background filer doing nothing. Its idle check reads the injected
 * clock, so a test that moves the clock on makes the broker idle, and a step begun then may file
 * a pack the test produces a moment later.
 */
export async function withoutBackgroundFiling<T>(log: LogContext, work: () => Promise<T>): Promise<T> {
  const filer = jest.spyOn(log.service(PackFiler), 'fileWhileIdle').mockResolvedValue(0);
  try {
    return await work();
  } finally {
    filer.mockRestore();
  }
}
