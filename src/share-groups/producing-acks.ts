import { type Acknowledgement, type AckResult, ErrorCode, type RecordPosition } from '@shoal/protocol';
import type { ProduceBatch, TransactionalProduce } from '../log/transactional-produce.js';
import type { Sql } from '../storage/database.js';

/** An acknowledgement that may carry records to produce in its transaction (issue 26). */
export type ProducingAck = Acknowledgement & { produce?: ProduceBatch[] };

/** Acks with what they produce: per entry, and the request's own list (produced only if every ack applies). */
export interface ProducingAcks {
  acks: ProducingAck[];
  produce?: ProduceBatch[];
}

/** Their answer: per-entry results (with `produced` where an entry carried records) and the request's list's positions. */
export interface AcksProduced {
  results: AckResult[];
  produced?: RecordPosition[][];
}

/**
 * A request's own `produce` list refused: one of its acks was refused, so nothing of the
 * request may stand. Thrown inside the transaction (rolling it back) and caught outside it.
 */
export class AcksRefused extends Error {
  constructor(readonly results: AckResult[]) {
    super('an ack of a request carrying produce was refused');
  }
}

/** Whether the request produces anything: then its acks take a transaction of their own with the appends. */
export function producesAny(request: ProducingAcks): boolean {
  return (request.produce?.length ?? 0) > 0 || request.acks.some((ack) => (ack.produce?.length ?? 0) > 0);
}

/**
 * Inside the acks' transaction, once they are applied: the rule of a refusal. An entry's own
 * records are produced if and only if it applied. The request's own list needs every ack: if
 * one was refused, {@link AcksRefused} rolls the whole request back (acks and appends) and the
 * acks that would have applied answer TRANSACTION_ABORTED. Every append is in this transaction.
 */
export async function produceWithAcks(
  tx: { readonly sql: Sql; readonly committed: (() => void)[] },
  producer: TransactionalProduce,
  request: ProducingAcks,
  results: AckResult[],
): Promise<AcksProduced> {
  const own = request.produce ?? [];
  if (own.length > 0 && results.some((r) => r.error !== null))
    throw new AcksRefused(results.map((r) => (r.error === null ? { ...r, error: ErrorCode.TransactionAborted } : r)));
  const batches = [...own];
  const firstOf = request.acks.map((ack, i) => {
    if (!ack.produce || results[i].error !== null) return -1;
    batches.push(...ack.produce);
    return batches.length - ack.produce.length;
  });
  if (batches.length === 0) return { results };
  const staged = await producer.write(tx.sql, batches);
  // Wake-ups and counts once the acks' transaction committed (the coordinator runs these).
  tx.committed.push(staged.afterCommit);
  const answered = results.map((result, i) =>
    firstOf[i] < 0
      ? result
      : { ...result, produced: staged.positions.slice(firstOf[i], firstOf[i] + request.acks[i].produce!.length) },
  );
  return { results: answered, ...(own.length > 0 ? { produced: staged.positions.slice(0, own.length) } : {}) };
}
