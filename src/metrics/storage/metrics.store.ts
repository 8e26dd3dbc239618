import { RecordState } from '../../share-groups/domain/record-state.js';
import type { AutoOffsetReset } from '@shoal/protocol';
import { resetPoint } from '../../share-groups/domain/share-group-config.js';
import type { Sql } from '../../storage/database.js';
import {
  type RecordTimestampColumns,
  recordTimestampOf,
  recordTimestampSql,
} from '../../log/storage/record-packs.store.js';

export interface PartitionOffsetsRow {
  topic: string;
  partition: number;
  startOffset: number;
  endOffset: number;
}

/** A consumer group's partition: committed, or subscribed with nothing committed yet (`committedOffset` null). */
export interface ConsumerPositionRow {
  group: string;
  topic: string;
  partition: number;
  committedOffset: number | null;
  /** The first offset not yet consumed: the committed offset, or the log start offset while nothing is committed. */
  nextOffset: number;
  endOffset: number;
  /** Timestamp (ms) of the record at `nextOffset`; null when there is none (caught up). */
  nextTimestamp: number | null;
}

export interface ShareWindowRow {
  group: string;
  topic: string;
  partition: number;
  startOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  available: number;
  acquired: number;
  final: number;
  /** Timestamp (ms) of the record at the start offset (the oldest not yet final); null when there is none. */
  startTimestamp: number | null;
}

const num = (value: unknown) => Number(value);

/**
 * What `/metrics` reads at scrape time, in a handful of aggregate queries, so the gauges are
 * right whichever broker process is scraped and stay cheap with thousands of partitions.
 */
export const metricsStore = {
  async partitions(sql: Sql): Promise<PartitionOffsetsRow[]> {
    const rows = await sql.rows<{ name: string; partition_id: number; start_offset: number; end_offset: number }>(
      'SELECT t.name, p.partition_id, p.start_offset, p.end_offset FROM shoal_partition p JOIN shoal_topic t ON t.id = p.topic_id',
    );
    return rows.map((r) => ({
      topic: r.name,
      partition: num(r.partition_id),
      startOffset: num(r.start_offset),
      endOffset: num(r.end_offset),
    }));
  },

  /**
   * Every partition a consumer group subscribes to (`shoal_consumer_partition`) or has committed
   * (`shoal_consumer_offset`), with the record to be consumed next: lag is counted from the log
   * start offset while nothing is committed, as describe does.
   */
  async consumerPositions(sql: Sql): Promise<ConsumerPositionRow[]> {
    const next = recordTimestampSql('k.topic_id', 'k.partition_id', 'k.next_offset');
    const rows = await sql.rows<
      RecordTimestampColumns & {
        group_name: string;
        topic_name: string;
        partition_id: number;
        committed_offset: number | null;
        next_offset: number;
        end_offset: number;
      }
    >(
      `SELECT g.name AS group_name, t.name AS topic_name, k.partition_id, o.committed_offset, k.next_offset, k.end_offset, ${next.columns}
       FROM (
         SELECT s.group_id, s.topic_id, s.partition_id, p.end_offset,
                CASE WHEN o.committed_offset IS NOT NULL AND o.committed_offset > p.start_offset THEN o.committed_offset ELSE p.start_offset END AS next_offset
         FROM (SELECT group_id, topic_id, partition_id FROM shoal_consumer_partition
               UNION SELECT group_id, topic_id, partition_id FROM shoal_consumer_offset) s
         JOIN shoal_partition p ON p.topic_id = s.topic_id AND p.partition_id = s.partition_id
         LEFT JOIN shoal_consumer_offset o ON o.group_id = s.group_id AND o.topic_id = s.topic_id AND o.partition_id = s.partition_id
       ) k
       JOIN shoal_consumer_group g ON g.id = k.group_id
       JOIN shoal_topic t ON t.id = k.topic_id
       LEFT JOIN shoal_consumer_offset o ON o.group_id = k.group_id AND o.topic_id = k.topic_id AND o.partition_id = k.partition_id
       ${next.joins}`,
    );
    return rows.map((r) => ({
      group: r.group_name,
      topic: r.topic_name,
      partition: num(r.partition_id),
      committedOffset: r.committed_offset === null ? null : num(r.committed_offset),
      nextOffset: num(r.next_offset),
      endOffset: num(r.end_offset),
      nextTimestamp: recordTimestampOf(r, num(r.next_offset)),
    }));
  },

  /** Members per group, groups without members included; consumer groups count Kafka members and name their protocol. */
  async members(
    sql: Sql,
    kind: 'consumer' | 'share',
  ): Promise<{ group: string; members: number; protocol?: string }[]> {
    if (kind === 'consumer') return consumerMembers(sql);
    const rows = await sql.rows<{ name: string; n: number }>(
      `SELECT g.name, COUNT(m.member_id) AS n FROM shoal_${kind}_group g LEFT JOIN shoal_${kind}_member m ON m.group_id = g.id GROUP BY g.name`,
    );
    return rows.map((r) => ({ group: r.name, members: num(r.n) }));
  },

  /**
   * Every share-partition of every share group: those opened (by a fetch or a reset), and the
   * partitions not opened yet of the topics the group's members subscribe to or it holds
   * share-partitions of, each at the group's reset point as a fetch would open it now.
   */
  async shareWindows(sql: Sql): Promise<ShareWindowRow[]> {
    const opened = await openedShareWindows(sql);
    return [...opened, ...(await unopenedShareWindows(sql, opened))];
  },
};

async function consumerMembers(sql: Sql): Promise<{ group: string; members: number; protocol: string }[]> {
  const rows = await sql.rows<{ name: string; n: number; kafka: number }>(
    `SELECT g.name,
            (SELECT COUNT(*) FROM shoal_consumer_member m WHERE m.group_id = g.id)
            + (SELECT COUNT(*) FROM shoal_kafka_member k WHERE k.group_id = g.id AND k.pending = 0) AS n,
            (SELECT COUNT(*) FROM shoal_kafka_group k WHERE k.group_id = g.id) AS kafka
     FROM shoal_consumer_group g`,
  );
  return rows.map((r) => ({ group: r.name, members: num(r.n), protocol: num(r.kafka) > 0 ? 'kafka' : 'http' }));
}

async function openedShareWindows(sql: Sql): Promise<ShareWindowRow[]> {
  const first = 'CASE WHEN w.start_offset > p.start_offset THEN w.start_offset ELSE p.start_offset END';
  const start = recordTimestampSql('w.topic_id', 'w.partition_id', first);
  const rows = await sql.rows<
    RecordTimestampColumns & {
      group_name: string;
      topic_name: string;
      partition_id: number;
      start_offset: number;
      log_start: number;
      log_end: number;
      available: number | null;
      acquired: number | null;
      final: number | null;
    }
  >(
    `SELECT g.name AS group_name, t.name AS topic_name, w.partition_id, w.start_offset, p.start_offset AS log_start, p.end_offset AS log_end,
            c.available, c.acquired, c.final, ${start.columns}
     FROM shoal_share_partition w
     JOIN shoal_share_group g ON g.id = w.group_id
     JOIN shoal_topic t ON t.id = w.topic_id
     JOIN shoal_partition p ON p.topic_id = w.topic_id AND p.partition_id = w.partition_id
     LEFT JOIN (
       SELECT group_id, topic_id, partition_id,
              SUM(CASE WHEN state = ${RecordState.Available} THEN last_offset - first_offset + 1 ELSE 0 END) AS available,
              SUM(CASE WHEN state = ${RecordState.Acquired} THEN last_offset - first_offset + 1 ELSE 0 END) AS acquired,
              SUM(CASE WHEN state IN (${RecordState.Acknowledged}, ${RecordState.Archived}) THEN last_offset - first_offset + 1 ELSE 0 END) AS final
       FROM shoal_share_range GROUP BY group_id, topic_id, partition_id
     ) c ON c.group_id = w.group_id AND c.topic_id = w.topic_id AND c.partition_id = w.partition_id
     ${start.joins}`,
  );
  return rows.map((r) => ({
    group: r.group_name,
    topic: r.topic_name,
    partition: num(r.partition_id),
    startOffset: num(r.start_offset),
    logStartOffset: num(r.log_start),
    logEndOffset: num(r.log_end),
    available: num(r.available ?? 0),
    acquired: num(r.acquired ?? 0),
    final: num(r.final ?? 0),
    startTimestamp: recordTimestampOf(r, Math.max(num(r.start_offset), num(r.log_start))),
  }));
}

async function unopenedShareWindows(sql: Sql, opened: ShareWindowRow[]): Promise<ShareWindowRow[]> {
  const groups = await sql.rows<{ name: string; auto_offset_reset: string; topics: string | null }>(
    `SELECT g.name, g.auto_offset_reset, m.topics FROM shoal_share_group g
     LEFT JOIN shoal_share_member m ON m.group_id = g.id`,
  );
  const covered = new Map<string, { reset: AutoOffsetReset; topics: Set<string> }>();
  for (const g of groups) {
    const entry = covered.get(g.name) ?? { reset: g.auto_offset_reset as AutoOffsetReset, topics: new Set() };
    for (const topic of g.topics === null ? [] : (JSON.parse(g.topics) as string[])) entry.topics.add(topic);
    covered.set(g.name, entry);
  }
  const isOpen = new Set<string>();
  for (const w of opened) {
    covered.get(w.group)?.topics.add(w.topic);
    isOpen.add(JSON.stringify([w.group, w.topic, w.partition]));
  }
  const names = [...new Set([...covered.values()].flatMap((g) => [...g.topics]))];
  if (names.length === 0) return [];
  const first = recordTimestampSql('p.topic_id', 'p.partition_id', 'p.start_offset');
  const logs = await sql.rows<
    RecordTimestampColumns & { name: string; partition_id: number; start_offset: number; end_offset: number }
  >(
    `SELECT t.name, p.partition_id, p.start_offset, p.end_offset, ${first.columns}
     FROM shoal_partition p JOIN shoal_topic t ON t.id = p.topic_id
     ${first.joins}
     WHERE t.name IN (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
    names,
  );
  const rows: ShareWindowRow[] = [];
  for (const [group, { reset, topics }] of covered)
    for (const log of logs) {
      const partition = num(log.partition_id);
      if (!topics.has(log.name) || isOpen.has(JSON.stringify([group, log.name, partition]))) continue;
      const window = { startOffset: num(log.start_offset), endOffset: num(log.end_offset) };
      const startOffset = resetPoint(reset, window);
      rows.push({
        group,
        topic: log.name,
        partition,
        startOffset,
        logStartOffset: window.startOffset,
        logEndOffset: window.endOffset,
        available: 0,
        acquired: 0,
        final: 0,
        // The record a fetch would hand out first, when there is one (earliest).
        startTimestamp: startOffset < window.endOffset ? recordTimestampOf(log, window.startOffset) : null,
      });
    }
  return rows;
}
