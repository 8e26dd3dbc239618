import type { Sql } from '../../storage/database.js';
import { type StoredRow, toStoredRecord } from '../../log/storage/record-columns.js';
import type { StoredRecord } from '../../log/domain/record.js';

/** What {@link fetchNext} asks: a member's fetch without acks from its one partition. */
export interface FetchNextAsk {
  group: string;
  memberId: string;
  /** The group's members and topics as an earlier call answered them (`seen`). */
  seen: string;
  topicId: number;
  partition: number;
  max: number;
  maxBytes: number;
  now: number;
  /** How much longer than its session the member is kept alive: the fetch's wait. */
  extraAliveMs: number;
  checkKeys: boolean;
}

/** Its answer: `done` with the records acquired (none: `nextEventAt`), or `usual` (nothing changed). */
export type FetchNextAnswer =
  | { done: true; seen: string; records: (StoredRecord & { lockExpiresAt: number })[]; nextEventAt: number | null }
  | { done: false; seen: string | null };

type Row = StoredRow & { status: number; fp: string | null; next_event: number | null; lock_expires_at: number | null };

/**
 * PostgreSQL: a share fetch in one autocommitted statement, `shoal_share_fetch_next` (migration
 * 1765490000000): the plain case of a member with one partition, done whole, or nothing done.
 */
export async function fetchNext(sql: Sql, ask: FetchNextAsk): Promise<FetchNextAnswer> {
  const rows = await sql.rows<Row>('SELECT * FROM shoal_share_fetch_next($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
    ask.group,
    ask.memberId,
    ask.seen,
    ask.topicId,
    ask.partition,
    ask.max,
    ask.maxBytes,
    ask.now,
    ask.extraAliveMs,
    ask.checkKeys,
  ]);
  const first = rows[0];
  if (!first || Number(first.status) !== 0 || first.fp === null) return { done: false, seen: first?.fp ?? null };
  if (first.record_offset === null)
    return {
      done: true,
      seen: first.fp,
      records: [],
      nextEventAt: first.next_event === null ? null : Number(first.next_event),
    };
  const records = rows.map((row) => ({ ...toStoredRecord(row), lockExpiresAt: Number(row.lock_expires_at) }));
  return { done: true, seen: first.fp, records, nextEventAt: null };
}

/** What {@link acceptLeading} asks: a member's accepts of one share-partition, as ascending spans apart. */
export interface AcceptLeadingAsk {
  group: string;
  memberId: string;
  topicId: number;
  partition: number;
  firsts: number[];
  lasts: number[];
  now: number;
}

/**
 * PostgreSQL: accepts in one autocommitted statement, `shoal_share_accept_leading` (migration
 * 1765490000000), when they make the window's leading records final; false: nothing done.
 */
export async function acceptLeading(sql: Sql, ask: AcceptLeadingAsk): Promise<boolean> {
  const rows = await sql.alone<{ status: number }>(
    'SELECT shoal_share_accept_leading($1, $2, $3, $4, $5, $6, $7) AS status',
    [ask.group, ask.memberId, ask.topicId, ask.partition, ask.firsts, ask.lasts, ask.now],
  );
  return Number(rows[0]?.status) === 0;
}
