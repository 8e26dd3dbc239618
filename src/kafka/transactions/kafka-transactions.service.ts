import { randomInt } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';
import { LogAppender } from '../../log/log-appender.js';
import { ProduceHooks } from '../../log/produce.hooks.js';
import { type Clock, CLOCK } from '../../platform/clock.js';
import { PeriodicTask } from '../../platform/periodic-task.js';
import { Database, type Sql } from '../../storage/database.js';
import { KafkaError } from '../kafka-api.js';
import { kafkaTxnStore, type TxnBatch, type TxnOffset, type TxnRow } from '../storage/kafka-txn.store.js';
import { type Applied, applyTransaction } from './txn-commit.js';

/** A Kafka error by name, as the transaction APIs answer it. */
export type TxnErrorName = keyof typeof KafkaError;

/** Who a transactional request says it is: the id, and the producer id and epoch InitProducerId gave it. */
export interface TxnProducer {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** The connection's principal (SASL/PLAIN), null without API keys. */
  principal: string | null;
}

/** Kafka's `transaction.max.timeout.ms` default: a longer `transaction.timeout.ms` is INVALID_TRANSACTION_TIMEOUT. */
export const MAX_TRANSACTION_TIMEOUT_MS = 900_000;
const MAX_EPOCH = 32_767;
/** The column's width: a longer transactional id is INVALID_REQUEST. */
const MAX_TRANSACTIONAL_ID_BYTES = 255;
/** How often open transactions past their timeout are looked for (Kafka's abort-timed-out interval). */
const SWEEP_INTERVAL_MS = 10_000;
const SWEEP_BATCH = 100;
/** Kafka's `transactional.id.expiration.ms` default: 7 days. */
const DEFAULT_ID_EXPIRATION_MS = 7 * 24 * 3_600_000;

/**
 * Kafka transactions with the database as their only state (docs/kafka.md, "Transactions"): a
 * transactional id's producer id, epoch and state, and the open transaction's record batches
 * and group offsets, are rows; any broker on the database answers any request of any
 * transaction. EndTxn(commit) appends the batches to the log and commits the offsets in one
 * database transaction, so the log never holds an open or aborted transaction's records. Every
 * request first aborts its transaction if it outlived `transaction.timeout.ms` (by the injected
 * clock), which also bumps the epoch (the producer is fenced, as Kafka does); a sweep does the
 * same for transactions nobody calls, and forgets ids idle past `transactional.id.expiration.ms`.
 */
@Injectable()
export class KafkaTransactions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaTransactions.name);
  private readonly task = new PeriodicTask(
    'transaction timeout sweep',
    SWEEP_INTERVAL_MS,
    async () => {
      await this.abortExpired();
      await this.forgetIdle();
    },
    this.logger,
  );
  private readonly idExpirationMs: number;

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    private readonly hooks: ProduceHooks,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(SHOAL_CONFIG) config?: ShoalConfig,
  ) {
    this.idExpirationMs = config?.kafkaTransactionalIdExpirationMs ?? DEFAULT_ID_EXPIRATION_MS;
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }

  /**
   * InitProducerId with a transactional id: the id's epoch moves on (a new id starts at 0),
   * which fences every request of an older epoch; a transaction the old producer left open is
   * aborted. From v3 a producer may name its own id and epoch (KIP-360): they must be the
   * current ones, else it is fenced.
   */
  async init(
    producer: TxnProducer,
    timeoutMs: number,
  ): Promise<{ error: TxnErrorName; producerId: number; producerEpoch: number }> {
    const refused = (error: TxnErrorName) => ({ error, producerId: -1, producerEpoch: -1 });
    const idLength = Buffer.byteLength(producer.transactionalId);
    if (idLength === 0 || idLength > MAX_TRANSACTIONAL_ID_BYTES) return refused('INVALID_REQUEST');
    if (timeoutMs <= 0 || timeoutMs > MAX_TRANSACTION_TIMEOUT_MS) return refused('INVALID_TRANSACTION_TIMEOUT');
    return this.database.transaction(async (sql) => {
      const now = this.clock.now();
      // Twice at most: a sweep may forget the id between the insert that found it and the lock.
      let txn: TxnRow | null = null;
      for (let tries = 0; txn === null && tries < 2; tries++) {
        await kafkaTxnStore.ensure(sql, producer.transactionalId, freshProducerId(), producer.principal, now);
        txn = await kafkaTxnStore.lock(sql, producer.transactionalId);
      }
      if (txn === null) return refused('CONCURRENT_TRANSACTIONS');
      if (txn.principal !== producer.principal) return refused('TRANSACTIONAL_ID_AUTHORIZATION_FAILED');
      const named = producer.producerId >= 0 && producer.producerEpoch >= 0;
      if (named && (producer.producerId !== txn.producerId || producer.producerEpoch !== txn.producerEpoch))
        return refused('PRODUCER_FENCED');
      if (txn.state === 'ongoing') await kafkaTxnStore.discard(sql, txn.transactionalId);
      const next = { ...bumped(txn), timeoutMs, state: 'empty' as const, startedAt: null };
      await kafkaTxnStore.update(sql, next, now);
      return { error: 'NONE' as const, producerId: next.producerId, producerEpoch: next.producerEpoch };
    });
  }

  /** AddPartitionsToTxn and AddOffsetsToTxn: the producer is checked and its transaction is open from now. */
  begin(producer: TxnProducer): Promise<TxnErrorName> {
    return this.withTransaction(producer, async (sql, txn, now) => {
      if (txn.state !== 'ongoing') await kafkaTxnStore.update(sql, { ...txn, state: 'ongoing', startedAt: now }, now);
      return 'NONE';
    });
  }

  /** TxnOffsetCommit: offsets the open transaction commits for a group when it commits. */
  commitOffsets(producer: TxnProducer, offsets: TxnOffset[]): Promise<TxnErrorName> {
    return this.withTransaction(producer, async (sql, txn) => {
      if (txn.state !== 'ongoing') return 'INVALID_TXN_STATE';
      await kafkaTxnStore.putOffsets(sql, txn.transactionalId, offsets);
      return 'NONE';
    });
  }

  /**
   * A transactional Produce batch for one partition: kept with the open transaction, not
   * appended. A batch sent again (the same base sequence as one the transaction holds on the
   * partition) is answered NONE and kept once; one that does not follow the partition's last
   * batch is OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  produce(producerId: number, producerEpoch: number, batch: TxnBatch): Promise<TxnErrorName> {
    return this.database.transaction(async (sql) => {
      const txn = await kafkaTxnStore.lockByProducer(sql, producerId);
      if (!txn) return 'INVALID_PRODUCER_ID_MAPPING';
      if (txn.producerEpoch !== producerEpoch) return 'INVALID_PRODUCER_EPOCH';
      if (await this.expire(sql, txn, this.clock.now())) return 'INVALID_PRODUCER_EPOCH';
      if (txn.state !== 'ongoing') return 'INVALID_TXN_STATE';
      const held = await kafkaTxnStore.partitionBatches(sql, txn.transactionalId, batch.topic, batch.partition);
      if (held.some((b) => b.baseSequence === batch.baseSequence)) return 'NONE';
      const last = held[held.length - 1];
      if (last && batch.baseSequence !== last.lastSequence + 1) return 'OUT_OF_ORDER_SEQUENCE_NUMBER';
      await kafkaTxnStore.insertBatch(sql, txn.transactionalId, batch);
      return 'NONE';
    });
  }

  /**
   * EndTxn: commit appends the transaction's records and commits its offsets in one database
   * transaction; abort forgets them. Ending again the way the last one ended (a retry after a
   * lost answer) is NONE; any other end without an open transaction is INVALID_TXN_STATE.
   */
  async end(producer: TxnProducer, commit: boolean): Promise<TxnErrorName> {
    let applied: Applied | undefined;
    const error = await this.withTransaction(producer, async (sql, txn, now) => {
      const outcome = commit ? 'committed' : 'aborted';
      if (txn.state !== 'ongoing') return txn.state === outcome ? 'NONE' : 'INVALID_TXN_STATE';
      if (commit) applied = await applyTransaction(sql, this.appender, txn.transactionalId, now);
      else await kafkaTxnStore.discard(sql, txn.transactionalId);
      await kafkaTxnStore.update(sql, { ...txn, state: outcome, startedAt: null }, now);
      return 'NONE';
    });
    if (applied) {
      this.appender.announce(applied.heads);
      for (const p of applied.produced) this.hooks.produced.emit(p.topic, p.records, p.bytes);
    }
    return error;
  }

  /** Aborts open transactions past their timeout, bumping their epochs; answers how many. Tests call it. */
  async abortExpired(now = this.clock.now()): Promise<number> {
    let aborted = 0;
    const candidates = await this.database.run((sql) => kafkaTxnStore.openSince(sql, now, SWEEP_BATCH));
    for (const candidate of candidates) {
      const expired = await this.database.transaction(async (sql) => {
        const txn = await kafkaTxnStore.lock(sql, candidate.transactionalId);
        return txn !== null && (await this.expire(sql, txn, now));
      });
      if (expired) aborted++;
    }
    if (aborted > 0) this.logger.log(`aborted ${aborted} Kafka transactions past their timeout`);
    return aborted;
  }

  /**
   * Forgets transactional ids without an open transaction whose state has not changed for
   * `transactional.id.expiration.ms` (Kafka's rule): their next InitProducerId starts afresh, a
   * producer still using the old producer id is answered INVALID_PRODUCER_ID_MAPPING. Answers how
   * many. Tests call it.
   */
  async forgetIdle(now = this.clock.now()): Promise<number> {
    let forgotten = 0;
    for (;;) {
      const batch = await this.database.transaction((sql) =>
        kafkaTxnStore.forgetIdle(sql, now - this.idExpirationMs, SWEEP_BATCH),
      );
      forgotten += batch;
      if (batch < SWEEP_BATCH) break;
    }
    if (forgotten > 0) this.logger.log(`forgot ${forgotten} Kafka transactional ids idle past their expiration`);
    return forgotten;
  }

  /** One database transaction over a transactional id whose producer is checked (and its timeout applied). */
  private withTransaction(
    producer: TxnProducer,
    work: (sql: Sql, txn: TxnRow, now: number) => Promise<TxnErrorName>,
  ): Promise<TxnErrorName> {
    return this.database.transaction(async (sql) => {
      const txn = await kafkaTxnStore.lock(sql, producer.transactionalId);
      if (!txn || txn.producerId !== producer.producerId) return 'INVALID_PRODUCER_ID_MAPPING';
      if (txn.principal !== producer.principal) return 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED';
      if (txn.producerEpoch !== producer.producerEpoch) return 'PRODUCER_FENCED';
      const now = this.clock.now();
      if (await this.expire(sql, txn, now)) return 'PRODUCER_FENCED';
      return work(sql, txn, now);
    });
  }

  /** Aborts `txn` if it is open past its timeout, bumping the epoch as Kafka's coordinator does. */
  private async expire(sql: Sql, txn: TxnRow, now: number): Promise<boolean> {
    if (txn.state !== 'ongoing' || txn.startedAt === null || now < txn.startedAt + txn.timeoutMs) return false;
    await kafkaTxnStore.discard(sql, txn.transactionalId);
    await kafkaTxnStore.update(sql, { ...bumped(txn), state: 'aborted', startedAt: null }, now);
    return true;
  }
}

/** The next epoch; past Kafka's largest, a new producer id at epoch 0. */
function bumped(txn: TxnRow): TxnRow {
  return txn.producerEpoch + 1 > MAX_EPOCH
    ? { ...txn, producerId: freshProducerId(), producerEpoch: 0 }
    : { ...txn, producerEpoch: txn.producerEpoch + 1 };
}

/** Random below 2^47, as idempotent producers' ids: brokers on one database need not agree on a counter. */
function freshProducerId(): number {
  return randomInt(1, 2 ** 47);
}

/**
 * Kafka's code for an answer at `version` of an API that has PRODUCER_FENCED from `fencedFrom`
 * (KIP-588); older versions say INVALID_PRODUCER_EPOCH.
 */
export function txnErrorCode(error: TxnErrorName, version: number, fencedFrom: number): number {
  if (error === 'PRODUCER_FENCED' && version < fencedFrom) return KafkaError.INVALID_PRODUCER_EPOCH;
  return KafkaError[error];
}
