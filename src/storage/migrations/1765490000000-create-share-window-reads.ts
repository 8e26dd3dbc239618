import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PostgreSQL only: the share fetch's window lock and its read of the next records as functions
 * (planned once per connection, as prepared statements are), so they can go out written in
 * full in one simple query with the BEGIN and `shoal_share_group_open` — one round trip where
 * they took three (share-groups/storage/share-window-reads.ts).
 *
 * `shoal_share_lock_windows(group, now, topics, partitions)` is the statement
 * `sharePartitionStore.lockWindows` ran: the share-partitions' rows locked in the lock order,
 * each with its log partition's offsets, whether a lock in it ran out or a record is available
 * by `now`, and the group's flow row.
 *
 * `shoal_share_next_records(group, topic, partition, max)` reads the stored records a fetch of
 * `max` would take next from the log: from the window's end, below the log's end, the group's
 * in-flight cap and `max`. As a statement after the lock it takes its own snapshot (READ
 * COMMITTED), so it sees the window as locked and what committed before the lock was granted.
 */
export class CreateShareWindowReads1765490000000 implements MigrationInterface {
  name = 'CreateShareWindowReads1765490000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type !== 'postgres') return;
    await runner.query(`CREATE OR REPLACE FUNCTION shoal_share_lock_windows(p_group INTEGER, p_now BIGINT, p_topics INTEGER[], p_partitions INTEGER[])
      RETURNS TABLE (topic_id INTEGER, partition_id INTEGER, start_offset BIGINT, end_offset BIGINT, log_start BIGINT, log_end BIGINT,
        expired BOOLEAN, available BOOLEAN, has_flow BOOLEAN, topic_priority TEXT, lower_priority_share DOUBLE PRECISION,
        max_records_per_second DOUBLE PRECISION, tokens DOUBLE PRECISION, refilled_at BIGINT)
      LANGUAGE plpgsql VOLATILE AS $fn$
      #variable_conflict use_column
      BEGIN
        RETURN QUERY SELECT sp.topic_id, sp.partition_id, sp.start_offset, sp.end_offset, p.start_offset, p.end_offset,
          EXISTS (SELECT 1 FROM shoal_share_range r WHERE r.group_id = sp.group_id AND r.topic_id = sp.topic_id
            AND r.partition_id = sp.partition_id AND r.state = 1 AND r.lock_expires_at <= p_now),
          EXISTS (SELECT 1 FROM shoal_share_range r WHERE r.group_id = sp.group_id AND r.topic_id = sp.topic_id
            AND r.partition_id = sp.partition_id AND r.state = 0 AND (r.available_at IS NULL OR r.available_at <= p_now)),
          f.group_id IS NOT NULL, f.topic_priority, f.lower_priority_share, f.max_records_per_second, f.tokens, f.refilled_at
        FROM shoal_share_partition sp
        LEFT JOIN shoal_partition p ON p.topic_id = sp.topic_id AND p.partition_id = sp.partition_id
        LEFT JOIN shoal_share_group_flow f ON f.group_id = sp.group_id
        WHERE sp.group_id = p_group AND (sp.topic_id, sp.partition_id) IN (SELECT * FROM unnest(p_topics, p_partitions))
        ORDER BY sp.topic_id, sp.partition_id FOR UPDATE OF sp;
      END
      $fn$`);
    // The bounds first, then a range seek of the records' key (one statement joining them all
    // lets the planner filter every record of the partition).
    await runner.query(`CREATE OR REPLACE FUNCTION shoal_share_next_records(p_group INTEGER, p_topic INTEGER, p_partition INTEGER, p_max INTEGER)
      RETURNS SETOF shoal_record
      LANGUAGE plpgsql VOLATILE AS $fn$
      DECLARE
        low BIGINT;
        high BIGINT;
      BEGIN
        SELECT sp.end_offset, LEAST(p.end_offset, sp.start_offset + g.max_in_flight, sp.end_offset + p_max) INTO low, high
          FROM shoal_share_partition sp
          JOIN shoal_share_group g ON g.id = sp.group_id
          JOIN shoal_partition p ON p.topic_id = sp.topic_id AND p.partition_id = sp.partition_id
          WHERE sp.group_id = p_group AND sp.topic_id = p_topic AND sp.partition_id = p_partition;
        IF NOT FOUND OR high <= low THEN
          RETURN;
        END IF;
        RETURN QUERY SELECT * FROM shoal_record
          WHERE topic_id = p_topic AND partition_id = p_partition AND record_offset >= low AND record_offset < high
          ORDER BY record_offset;
      END
      $fn$`);
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type !== 'postgres') return;
    await runner.query('DROP FUNCTION IF EXISTS shoal_share_next_records(INTEGER, INTEGER, INTEGER, INTEGER)');
    await runner.query('DROP FUNCTION IF EXISTS shoal_share_lock_windows(INTEGER, BIGINT, INTEGER[], INTEGER[])');
  }
}
