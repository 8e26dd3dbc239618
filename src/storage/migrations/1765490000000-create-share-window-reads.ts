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
 *
 * Every function here (and `shoal_share_group_open`) plans its statements once per connection
 * (`plan_cache_mode = force_generic_plan`): with the default, PostgreSQL planned them afresh on
 * each of a connection's first five calls and often kept doing so (1–4 ms a call, 0.15–0.3 ms
 * with the generic plans, measured on the kit's PostgreSQL 15).
 */
export class CreateShareWindowReads1765490000000 implements MigrationInterface {
  name = 'CreateShareWindowReads1765490000000';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type !== 'postgres') return;
    await runner.query(`CREATE OR REPLACE FUNCTION shoal_share_lock_windows(p_group INTEGER, p_now BIGINT, p_topics INTEGER[], p_partitions INTEGER[])
      RETURNS TABLE (topic_id INTEGER, partition_id INTEGER, start_offset BIGINT, end_offset BIGINT, log_start BIGINT, log_end BIGINT,
        expired BOOLEAN, available BOOLEAN, has_flow BOOLEAN, topic_priority TEXT, lower_priority_share DOUBLE PRECISION,
        max_records_per_second DOUBLE PRECISION, tokens DOUBLE PRECISION, refilled_at BIGINT)
      LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
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
      LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
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
    await runner.query(FETCH_NEXT);
    await runner.query(ACCEPT_LEADING);
    await runner.query(
      'ALTER FUNCTION shoal_share_group_open(TEXT, BOOLEAN, BOOLEAN) SET plan_cache_mode = force_generic_plan',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.options.type !== 'postgres') return;
    await runner.query('ALTER FUNCTION shoal_share_group_open(TEXT, BOOLEAN, BOOLEAN) RESET plan_cache_mode');
    await runner.query(
      'DROP FUNCTION IF EXISTS shoal_share_accept_leading(TEXT, TEXT, INTEGER, INTEGER, BIGINT[], BIGINT[], BIGINT)',
    );
    await runner.query(
      'DROP FUNCTION IF EXISTS shoal_share_fetch_next(TEXT, TEXT, TEXT, INTEGER, INTEGER, INTEGER, BIGINT, BIGINT, BIGINT, BOOLEAN)',
    );
    await runner.query('DROP FUNCTION IF EXISTS shoal_share_next_records(INTEGER, INTEGER, INTEGER, INTEGER)');
    await runner.query('DROP FUNCTION IF EXISTS shoal_share_lock_windows(INTEGER, BIGINT, INTEGER[], INTEGER[])');
  }
}

/**
 * `shoal_share_fetch_next(group, member, seen, topic, partition, max, max_bytes, now, extra_alive,
 * check_keys)`: a share fetch without acks of a member with one partition, whole, in one
 * autocommitted statement (with `synchronous_commit` off, as an acquisition alone commits) —
 * when it is the plain case; otherwise it changes nothing and answers `status` 1 (the caller
 * then runs the fetch its usual way). The plain case: no API key while `check_keys`; the group's
 * members and their topics as `seen` (the `fp` an earlier call answered: the assignment is then
 * the one the caller noted with it) and none of them expired; the member among them; the
 * share-partition started, its log's start not past it, no lock in it run out, nothing in it
 * available, and the group without flow settings. Then, in the order the usual way takes its
 * locks (the group's row shared, the window's, the member's last): it takes the next records from
 * the window's end (below the log's end, the in-flight cap and `max`, within `max_bytes` of stored
 * sizes, the first however large, up to the first gap), acquired by the member with delivery
 * count 1 in one range, moves the window's end, renews the member's session (`now` + its timeout
 * + `extra_alive`, never earlier), and answers them (`status` 0, one row each), or, with none, one
 * row with `next_event`: when a delayed release becomes available or a lock runs out in the group.
 */
const FETCH_NEXT = `CREATE OR REPLACE FUNCTION shoal_share_fetch_next(p_group TEXT, p_member TEXT, p_seen TEXT, p_topic INTEGER,
    p_partition INTEGER, p_max INTEGER, p_max_bytes BIGINT, p_now BIGINT, p_extra_alive BIGINT, p_check_keys BOOLEAN)
  RETURNS TABLE (status INTEGER, fp TEXT, next_event BIGINT, lock_expires_at BIGINT, record_offset BIGINT, "timestamp" BIGINT,
    record_key TEXT, key_bytes BYTEA, value_json TEXT, value_bytes BYTEA, headers TEXT, size INTEGER)
  LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
  #variable_conflict use_column
  DECLARE
    g shoal_share_group%ROWTYPE;
    seen_now TEXT;
    w_start BIGINT;
    w_end BIGINT;
    l_start BIGINT;
    l_end BIGINT;
    high BIGINT;
    spent BIGINT := 0;
    taken INTEGER := 0;
    expires BIGINT;
    r RECORD;
  BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    IF p_check_keys AND EXISTS (SELECT 1 FROM shoal_api_key) THEN
      RETURN QUERY SELECT 1, NULL::TEXT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::TEXT, NULL::BYTEA,
        NULL::TEXT, NULL::BYTEA, NULL::TEXT, NULL::INTEGER;
      RETURN;
    END IF;
    SELECT * INTO g FROM shoal_share_group WHERE name = p_group FOR SHARE;
    IF FOUND THEN
      SELECT g.id || '/' || COALESCE((SELECT string_agg(m.member_id || '=' || m.topics, ',' ORDER BY m.member_id)
          FROM shoal_share_member m WHERE m.group_id = g.id), '') || '/' || COALESCE((SELECT string_agg(t.id || ':' || t.partition_count, ',' ORDER BY t.id)
          FROM shoal_topic t WHERE t.name IN (SELECT json_array_elements_text(m.topics::json) FROM shoal_share_member m WHERE m.group_id = g.id)), '')
        INTO seen_now;
    END IF;
    IF NOT FOUND OR seen_now IS DISTINCT FROM p_seen
      OR EXISTS (SELECT 1 FROM shoal_share_member m WHERE m.group_id = g.id AND m.expires_at < p_now)
      OR NOT EXISTS (SELECT 1 FROM shoal_share_member m WHERE m.group_id = g.id AND m.member_id = p_member)
      OR EXISTS (SELECT 1 FROM shoal_share_group_flow f WHERE f.group_id = g.id) THEN
      RETURN QUERY SELECT 1, seen_now, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::TEXT, NULL::BYTEA,
        NULL::TEXT, NULL::BYTEA, NULL::TEXT, NULL::INTEGER;
      RETURN;
    END IF;
    SELECT sp.start_offset, sp.end_offset INTO w_start, w_end FROM shoal_share_partition sp
      WHERE sp.group_id = g.id AND sp.topic_id = p_topic AND sp.partition_id = p_partition FOR UPDATE;
    IF FOUND THEN
      SELECT p.start_offset, p.end_offset INTO l_start, l_end FROM shoal_partition p
        WHERE p.topic_id = p_topic AND p.partition_id = p_partition;
    END IF;
    IF NOT FOUND OR l_start > w_start OR EXISTS (SELECT 1 FROM shoal_share_range x WHERE x.group_id = g.id AND x.topic_id = p_topic
        AND x.partition_id = p_partition AND ((x.state = 1 AND x.lock_expires_at <= p_now)
          OR (x.state = 0 AND (x.available_at IS NULL OR x.available_at <= p_now)))) THEN
      RETURN QUERY SELECT 1, seen_now, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::TEXT, NULL::BYTEA,
        NULL::TEXT, NULL::BYTEA, NULL::TEXT, NULL::INTEGER;
      RETURN;
    END IF;
    high := LEAST(l_end, w_start + g.max_in_flight, w_end + p_max);
    expires := p_now + g.record_lock_duration_ms;
    IF high > w_end THEN
      FOR r IN SELECT * FROM shoal_record WHERE topic_id = p_topic AND partition_id = p_partition
          AND record_offset >= w_end AND record_offset < high ORDER BY record_offset LOOP
        EXIT WHEN r.record_offset <> w_end + taken OR (taken > 0 AND spent + r.size > p_max_bytes);
        spent := spent + r.size;
        taken := taken + 1;
        status := 0; fp := seen_now; next_event := NULL; lock_expires_at := expires; record_offset := r.record_offset;
        "timestamp" := r.timestamp; record_key := r.record_key; key_bytes := r.key_bytes; value_json := r.value_json;
        value_bytes := r.value_bytes; headers := r.headers; size := r.size;
        RETURN NEXT;
      END LOOP;
      -- Offsets up to the log's end with no record at the window's end: the usual way decides.
      IF taken = 0 THEN
        RETURN QUERY SELECT 1, seen_now, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::TEXT, NULL::BYTEA,
          NULL::TEXT, NULL::BYTEA, NULL::TEXT, NULL::INTEGER;
        RETURN;
      END IF;
      INSERT INTO shoal_share_range (group_id, topic_id, partition_id, first_offset, last_offset, state, delivery_count,
          member_id, lock_expires_at, available_at)
        VALUES (g.id, p_topic, p_partition, w_end, w_end + taken - 1, 1, 1, p_member, expires, NULL);
      UPDATE shoal_share_partition SET end_offset = w_end + taken
        WHERE group_id = g.id AND topic_id = p_topic AND partition_id = p_partition;
    END IF;
    UPDATE shoal_share_member m SET expires_at = p_now + m.session_timeout_ms + p_extra_alive
      WHERE m.group_id = g.id AND m.member_id = p_member AND m.expires_at < p_now + m.session_timeout_ms + p_extra_alive;
    IF taken = 0 THEN
      RETURN QUERY SELECT 0, seen_now, (SELECT MIN(CASE WHEN x.state = 0 THEN x.available_at ELSE x.lock_expires_at END)
          FROM shoal_share_range x WHERE x.group_id = g.id AND ((x.state = 0 AND x.available_at > p_now)
            OR (x.state = 1 AND x.lock_expires_at > p_now))),
        NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::TEXT, NULL::BYTEA, NULL::TEXT, NULL::BYTEA, NULL::TEXT, NULL::INTEGER;
    END IF;
  END
  $fn$`;

/**
 * `shoal_share_accept_leading(group, member, topic, partition, firsts, lasts, now)`: a member's
 * accepts of one share-partition (the spans [firsts[i], lasts[i]], ascending and apart) in one
 * autocommitted statement with `synchronous_commit` off (the caller answers after a flush
 * barrier, as for any accept), when it is the plain case; otherwise it changes nothing and
 * answers 1. The plain case: the group keeps no results, no member of it expired, the member is
 * one of them; the window started, the log's start not past it, no lock in it run out; every
 * range from the window's start to the last span's end is either final already or acquired by
 * the member (lock not run out) and inside the spans, and these cover every offset of the spans.
 * Then, in the usual way's lock order (the group's row shared, the window's, the member's last),
 * the accepted records are the window's leading final records with the others before them: their
 * ranges are deleted up to the first record not final (or the window's end), which becomes the
 * start, and the member's session is renewed; it answers 0. The window's row is held for this
 * one statement, where the usual way holds it for three round trips. (States as stored: 0
 * available, 1 acquired, 2 acknowledged, 4 archived; 2 and 4 are final.)
 */
const ACCEPT_LEADING = `CREATE OR REPLACE FUNCTION shoal_share_accept_leading(p_group TEXT, p_member TEXT, p_topic INTEGER,
    p_partition INTEGER, p_firsts BIGINT[], p_lasts BIGINT[], p_now BIGINT) RETURNS INTEGER
  LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $fn$
  DECLARE
    g shoal_share_group%ROWTYPE;
    w_start BIGINT;
    w_end BIGINT;
    l_start BIGINT;
    high BIGINT := p_lasts[array_upper(p_lasts, 1)];
    wanted BIGINT := 0;
    held BIGINT;
    new_start BIGINT;
  BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    SELECT * INTO g FROM shoal_share_group WHERE name = p_group FOR SHARE;
    IF NOT FOUND OR g.result_retention_ms > 0
      OR EXISTS (SELECT 1 FROM shoal_share_member m WHERE m.group_id = g.id AND m.expires_at < p_now)
      OR NOT EXISTS (SELECT 1 FROM shoal_share_member m WHERE m.group_id = g.id AND m.member_id = p_member) THEN
      RETURN 1;
    END IF;
    SELECT sp.start_offset, sp.end_offset INTO w_start, w_end FROM shoal_share_partition sp
      WHERE sp.group_id = g.id AND sp.topic_id = p_topic AND sp.partition_id = p_partition FOR UPDATE;
    IF FOUND THEN
      SELECT p.start_offset INTO l_start FROM shoal_partition p WHERE p.topic_id = p_topic AND p.partition_id = p_partition;
    END IF;
    IF NOT FOUND OR l_start > w_start OR high >= w_end OR p_firsts[1] < w_start
      OR EXISTS (SELECT 1 FROM shoal_share_range x WHERE x.group_id = g.id AND x.topic_id = p_topic
        AND x.partition_id = p_partition AND x.state = 1 AND x.lock_expires_at <= p_now) THEN
      RETURN 1;
    END IF;
    SELECT SUM(l - f + 1) INTO wanted FROM unnest(p_firsts, p_lasts) AS a(f, l);
    -- Every range up to the last span's end: final, or the member's and inside a span.
    SELECT SUM(x.last_offset - x.first_offset + 1) FILTER (WHERE x.state = 1) INTO held
      FROM shoal_share_range x
      WHERE x.group_id = g.id AND x.topic_id = p_topic AND x.partition_id = p_partition AND x.first_offset <= high
      HAVING bool_and(x.state IN (2, 4) OR (x.state = 1 AND x.member_id = p_member AND x.lock_expires_at > p_now
        AND EXISTS (SELECT 1 FROM unnest(p_firsts, p_lasts) AS a(f, l) WHERE x.first_offset >= a.f AND x.last_offset <= a.l)));
    IF held IS NULL OR held <> wanted THEN
      RETURN 1;
    END IF;
    SELECT COALESCE(MIN(x.first_offset), w_end) INTO new_start FROM shoal_share_range x
      WHERE x.group_id = g.id AND x.topic_id = p_topic AND x.partition_id = p_partition AND x.first_offset > high
        AND x.state NOT IN (2, 4);
    DELETE FROM shoal_share_range x WHERE x.group_id = g.id AND x.topic_id = p_topic AND x.partition_id = p_partition
      AND x.first_offset < new_start;
    UPDATE shoal_share_partition SET start_offset = new_start
      WHERE group_id = g.id AND topic_id = p_topic AND partition_id = p_partition;
    UPDATE shoal_share_member m SET expires_at = p_now + m.session_timeout_ms
      WHERE m.group_id = g.id AND m.member_id = p_member AND m.expires_at < p_now + m.session_timeout_ms;
    RETURN 0;
  END
  $fn$`;
