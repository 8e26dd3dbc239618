import type { AckEntry } from './acknowledge.js';

/** How a finished job ended. */
export type JobOutcome = 'accepted' | 'rejected';

/** What a job's handler said about it, as one write: a field left out (or null) keeps what is stored. */
export interface JobNote {
  offset: number;
  /** JSON text. */
  progress?: string | null;
  /** JSON text. */
  result?: string | null;
  reason?: string | null;
  outcome?: JobOutcome | null;
  /** When the row may go (set when the job finishes); null while it is in flight. */
  expiresAt?: number | null;
}

/**
 * What a share-partition's acks say about their jobs, as rows of `shoal_share_job`: the reason
 * of each reject or release that gave one, and — while the group keeps results
 * (`retentionMs` > 0) — each finished job's outcome and the result its accept carried, kept
 * until `now + retentionMs`. Only applied entries count (`errors[i]` null); `archived`: the
 * offsets these acks archived. Empty when nothing is worth a write (the common case: accepts
 * while the group keeps no results), so the hot path pays nothing.
 */
export function ackNotes(
  entries: AckEntry[],
  errors: (string | null)[],
  archived: ReadonlyMap<number, unknown>,
  now: number,
  retentionMs: number,
): JobNote[] {
  const notes = new Map<number, JobNote>();
  const add = (note: JobNote) => notes.set(note.offset, { ...notes.get(note.offset), ...note });
  const expiresAt = now + retentionMs;
  entries.forEach((entry, i) => {
    if (errors[i] !== null || entry.type === 'renew') return;
    if (entry.type === 'accept' && retentionMs <= 0) return;
    if (entry.type !== 'accept' && entry.reason === undefined && (retentionMs <= 0 || archived.size === 0)) return;
    const result = entry.type === 'accept' && entry.result !== undefined ? JSON.stringify(entry.result) : undefined;
    for (let offset = entry.offset; offset <= entry.lastOffset; offset++) {
      const note: JobNote = { offset };
      if (entry.reason !== undefined) note.reason = entry.reason;
      if (result !== undefined) note.result = result;
      const outcome: JobOutcome | null =
        entry.type === 'accept' ? 'accepted' : archived.has(offset) ? 'rejected' : null;
      if (outcome !== null && retentionMs > 0) Object.assign(note, { outcome, expiresAt });
      if (Object.keys(note).length > 1) add(note);
    }
  });
  return [...notes.values()];
}

/** Jobs archived without an ack (a lock that ran out at the delivery limit): their outcome, while results are kept. */
export function archivedNotes(offsets: Iterable<number>, now: number, retentionMs: number): JobNote[] {
  if (retentionMs <= 0) return [];
  return [...offsets].map((offset) => ({ offset, outcome: 'rejected' as const, expiresAt: now + retentionMs }));
}
