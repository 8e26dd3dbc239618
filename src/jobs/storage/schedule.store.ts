import type { Sql } from '../../storage/database.js';

/** A repeating job as stored; `record` is the produce record's JSON. */
export interface ScheduleRow {
  name: string;
  topicId: number;
  topic: string;
  cron: string | null;
  everyMs: number | null;
  timezone: string | null;
  record: string;
  paused: boolean;
  nextRunAt: number;
  lastRunAt: number | null;
  createdAt: number;
}

interface Row {
  name: string;
  topic_id: number;
  topic: string;
  cron: string | null;
  every_ms: number | null;
  timezone: string | null;
  record: string;
  paused: number;
  next_run_at: number;
  last_run_at: number | null;
  created_at: number;
}

const SELECT = `SELECT s.name, s.topic_id, t.name AS topic, s.cron, s.every_ms, s.timezone, s.record, s.paused,
  s.next_run_at, s.last_run_at, s.created_at FROM shoal_schedule s JOIN shoal_topic t ON t.id = s.topic_id`;

function toSchedule(r: Row): ScheduleRow {
  return {
    name: r.name,
    topicId: Number(r.topic_id),
    topic: r.topic,
    cron: r.cron,
    everyMs: r.every_ms === null ? null : Number(r.every_ms),
    timezone: r.timezone,
    record: r.record,
    paused: Number(r.paused) === 1,
    nextRunAt: Number(r.next_run_at),
    lastRunAt: r.last_run_at === null ? null : Number(r.last_run_at),
    createdAt: Number(r.created_at),
  };
}

/** Repeating jobs: create or replace, list, find, pause, delete, and the due ones locked for a tick. */
export const scheduleStore = {
  async upsert(sql: Sql, s: ScheduleRow): Promise<void> {
    await sql.execute('DELETE FROM shoal_schedule WHERE name = $1', [s.name]);
    await sql.execute(
      `INSERT INTO shoal_schedule (name, topic_id, cron, every_ms, timezone, record, paused, next_run_at, last_run_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        s.name,
        s.topicId,
        s.cron,
        s.everyMs,
        s.timezone,
        s.record,
        s.paused ? 1 : 0,
        s.nextRunAt,
        s.lastRunAt,
        s.createdAt,
      ],
    );
  },

  async list(sql: Sql): Promise<ScheduleRow[]> {
    return (await sql.rows<Row>(`${SELECT} ORDER BY s.name`)).map(toSchedule);
  },

  async find(sql: Sql, name: string): Promise<ScheduleRow | null> {
    const rows = await sql.rows<Row>(`${SELECT} WHERE s.name = $1`, [name]);
    return rows.length === 0 ? null : toSchedule(rows[0]);
  },

  async anyDue(sql: Sql, now: number): Promise<boolean> {
    return (
      (await sql.rows('SELECT 1 AS due FROM shoal_schedule WHERE paused = 0 AND next_run_at <= $1 LIMIT 1', [now]))
        .length > 0
    );
  },

  /** Due schedules, locked (on PostgreSQL those another broker holds are skipped): each tick runs once. */
  async lockDue(sql: Sql, now: number, limit: number): Promise<ScheduleRow[]> {
    const lock = sql.kind === 'postgres' ? ' FOR UPDATE OF s SKIP LOCKED' : '';
    return (
      await sql.rows<Row>(
        `${SELECT} WHERE s.paused = 0 AND s.next_run_at <= $1 ORDER BY s.next_run_at, s.name LIMIT $2${lock}`,
        [now, limit],
      )
    ).map(toSchedule);
  },

  async advance(sql: Sql, name: string, lastRunAt: number | null, nextRunAt: number, paused: boolean): Promise<void> {
    await sql.execute('UPDATE shoal_schedule SET last_run_at = $2, next_run_at = $3, paused = $4 WHERE name = $1', [
      name,
      lastRunAt,
      nextRunAt,
      paused ? 1 : 0,
    ]);
  },

  async delete(sql: Sql, name: string): Promise<boolean> {
    return (await sql.execute('DELETE FROM shoal_schedule WHERE name = $1', [name])) > 0;
  },
};
