import type { Sql } from '../../storage/database.js';

/** Where a transactional id stands: no transaction, one open, or how the last one ended. */
export type TxnState = 'empty' | 'ongoing' | 'committed' | 'aborted';

/** One transactional id (`shoal_kafka_txn`). */
export interface TxnRow {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  /** When the open transaction began (its first AddPartitionsToTxn/AddOffsetsToTxn); null when none is open. */
  startedAt: number | null;
  /** The principal that owns the id (SASL/PLAIN), null without API keys. */
  principal: string | null;
}

/** A record batch produced into an open transaction: the producer's own bytes, for one partition. */
export interface TxnBatch {
  topic: string;
  partition: number;
  baseSequence: number;
  lastSequence: number;
  records: Buffer;
}

/** An offset an open transaction commits for a consumer group. */
export interface TxnOffset {
  group: string;
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

interface Row {
  transactional_id: string;
  producer_id: number | string;
  producer_epoch: number;
  timeout_ms: number;
  state: TxnState;
  started_at: number | string | null;
  principal: string | null;
}

const COLUMNS = 'transactional_id, producer_id, producer_epoch, timeout_ms, state, started_at, principal';

const toTxn = (r: Row): TxnRow => ({
  transactionalId: r.transactional_id,
  producerId: Number(r.producer_id),
  producerEpoch: Number(r.producer_epoch),
  timeoutMs: Number(r.timeout_ms),
  state: r.state,
  startedAt: r.started_at === null ? null : Number(r.started_at),
  principal: r.principal,
});

const bufferOf = (bytes: Buffer | Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Kafka transactions: their ids, and the batches and offsets of the open ones. */
export const kafkaTxnStore = {
  /** Creates the id's row unless it exists (a fresh producer id, epoch −1: the first InitProducerId makes it 0). */
  async ensure(
    sql: Sql,
    transactionalId: string,
    producerId: number,
    principal: string | null,
    now: number,
  ): Promise<void> {
    await sql.execute(
      `INSERT INTO shoal_kafka_txn (${COLUMNS}, updated_at) VALUES ($1, $2, -1, 0, 'empty', NULL, $3, $4)
       ON CONFLICT (transactional_id) DO NOTHING`,
      [transactionalId, producerId, principal, now],
    );
  },

  /** The id's row, locked on PostgreSQL until the transaction ends (SQLite runs one writer at a time). */
  async lock(sql: Sql, transactionalId: string): Promise<TxnRow | null> {
    const rows = await sql.rows<Row>(
      `SELECT ${COLUMNS} FROM shoal_kafka_txn WHERE transactional_id = $1${forUpdate(sql)}`,
      [transactionalId],
    );
    return rows.length === 0 ? null : toTxn(rows[0]!);
  },

  /** The row of the id a producer id belongs to (Produce names the producer, not the transactional id), locked. */
  async lockByProducer(sql: Sql, producerId: number): Promise<TxnRow | null> {
    const rows = await sql.rows<Row>(`SELECT ${COLUMNS} FROM shoal_kafka_txn WHERE producer_id = $1${forUpdate(sql)}`, [
      producerId,
    ]);
    return rows.length === 0 ? null : toTxn(rows[0]!);
  },

  /** Writes the id's new state, changed at `now`. */
  async update(sql: Sql, txn: TxnRow, now: number): Promise<void> {
    await sql.execute(
      `UPDATE shoal_kafka_txn SET producer_id = $2, producer_epoch = $3, timeout_ms = $4, state = $5, started_at = $6,
       updated_at = $7 WHERE transactional_id = $1`,
      [txn.transactionalId, txn.producerId, txn.producerEpoch, txn.timeoutMs, txn.state, txn.startedAt, now],
    );
  },

  /**
   * Forgets ids without an open transaction whose state last changed at or before `idleSince`
   * (Kafka's `transactional.id.expiration.ms`), at most `limit` of them; answers how many. An id
   * locked by a request now is left for the next sweep.
   */
  async forgetIdle(sql: Sql, idleSince: number, limit: number): Promise<number> {
    const skipLocked = sql.kind === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await sql.rows<{ transactional_id: string }>(
      `DELETE FROM shoal_kafka_txn WHERE transactional_id IN (
         SELECT transactional_id FROM shoal_kafka_txn
         WHERE state <> 'ongoing' AND updated_at <= $1 ORDER BY updated_at LIMIT $2${skipLocked})
       AND state <> 'ongoing' AND updated_at <= $1
       RETURNING transactional_id`,
      [idleSince, limit],
    );
    return rows.length;
  },

  /** Ids whose open transaction began at or before `startedBy` (candidates for the timeout sweep). */
  async openSince(sql: Sql, startedBy: number, limit: number): Promise<TxnRow[]> {
    const rows = await sql.rows<Row>(
      `SELECT ${COLUMNS} FROM shoal_kafka_txn WHERE state = 'ongoing' AND started_at <= $1 ORDER BY started_at LIMIT $2`,
      [startedBy, limit],
    );
    return rows.map(toTxn);
  },

  /** The open transaction's batches on one partition, by base sequence. */
  async partitionBatches(
    sql: Sql,
    transactionalId: string,
    topic: string,
    partition: number,
  ): Promise<{ baseSequence: number; lastSequence: number }[]> {
    const rows = await sql.rows<{ base_sequence: number; last_sequence: number }>(
      `SELECT base_sequence, last_sequence FROM shoal_kafka_txn_batch
       WHERE transactional_id = $1 AND topic = $2 AND partition_id = $3 ORDER BY base_sequence`,
      [transactionalId, topic, partition],
    );
    return rows.map((r) => ({ baseSequence: Number(r.base_sequence), lastSequence: Number(r.last_sequence) }));
  },

  async insertBatch(sql: Sql, transactionalId: string, batch: TxnBatch): Promise<void> {
    await sql.execute(
      `INSERT INTO shoal_kafka_txn_batch (transactional_id, topic, partition_id, base_sequence, last_sequence, records)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [transactionalId, batch.topic, batch.partition, batch.baseSequence, batch.lastSequence, batch.records],
    );
  },

  /** Every batch of the open transaction, per partition in the order produced. */
  async batches(sql: Sql, transactionalId: string): Promise<TxnBatch[]> {
    const rows = await sql.rows<{
      topic: string;
      partition_id: number;
      base_sequence: number;
      last_sequence: number;
      records: Buffer | Uint8Array;
    }>(
      `SELECT topic, partition_id, base_sequence, last_sequence, records FROM shoal_kafka_txn_batch
       WHERE transactional_id = $1 ORDER BY topic, partition_id, base_sequence`,
      [transactionalId],
    );
    return rows.map((r) => ({
      topic: r.topic,
      partition: Number(r.partition_id),
      baseSequence: Number(r.base_sequence),
      lastSequence: Number(r.last_sequence),
      records: bufferOf(r.records),
    }));
  },

  /** Each commit of a partition's offset within the transaction replaces the one before. */
  async putOffsets(sql: Sql, transactionalId: string, offsets: TxnOffset[]): Promise<void> {
    for (const o of offsets) {
      await sql.execute(
        `INSERT INTO shoal_kafka_txn_offset (transactional_id, group_name, topic, partition_id, committed_offset, committed_metadata)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (transactional_id, group_name, topic, partition_id) DO UPDATE
           SET committed_offset = excluded.committed_offset, committed_metadata = excluded.committed_metadata`,
        [transactionalId, o.group, o.topic, o.partition, o.offset, o.metadata],
      );
    }
  },

  async offsets(sql: Sql, transactionalId: string): Promise<TxnOffset[]> {
    const rows = await sql.rows<{
      group_name: string;
      topic: string;
      partition_id: number;
      committed_offset: number | string;
      committed_metadata: string | null;
    }>(
      `SELECT group_name, topic, partition_id, committed_offset, committed_metadata FROM shoal_kafka_txn_offset
       WHERE transactional_id = $1`,
      [transactionalId],
    );
    return rows.map((r) => ({
      group: r.group_name,
      topic: r.topic,
      partition: Number(r.partition_id),
      offset: Number(r.committed_offset),
      metadata: r.committed_metadata,
    }));
  },

  /** Forgets the open transaction's batches and offsets (after they were applied, or on abort). */
  async discard(sql: Sql, transactionalId: string): Promise<void> {
    await sql.execute('DELETE FROM shoal_kafka_txn_batch WHERE transactional_id = $1', [transactionalId]);
    await sql.execute('DELETE FROM shoal_kafka_txn_offset WHERE transactional_id = $1', [transactionalId]);
  },
};

function forUpdate(sql: Sql): string {
  return sql.kind === 'postgres' ? ' FOR UPDATE' : '';
}
