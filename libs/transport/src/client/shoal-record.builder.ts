import type { ProduceRecord, RecordHeaders } from '@shoal/protocol';

/** When a record is appended and whether it may be deduplicated (see {@link ShoalRecordBuilder}). */
export interface ShoalRecordDelivery {
  deliverAt?: number;
  delayMs?: number;
  idempotencyKey?: string;
}

/** A record with its key, headers, partition and timestamp, for {@link ShoalClient.emit}. */
export class ShoalRecord<T = unknown> {
  constructor(
    readonly data: T,
    /** A string key, or a key of any bytes (sent as `keyBase64`). */
    readonly key: string | Buffer | null = null,
    readonly headers: RecordHeaders = {},
    readonly partition?: number,
    readonly timestamp?: number,
    readonly delivery: ShoalRecordDelivery = {},
  ) {}

  /** The record as a produce request carries it: a Buffer goes as bytes, anything else as JSON. */
  toProduceRecord(): ProduceRecord {
    const record: ProduceRecord = Buffer.isBuffer(this.key)
      ? { keyBase64: this.key.toString('base64'), headers: this.headers }
      : { key: this.key, headers: this.headers };
    if (Buffer.isBuffer(this.data)) record.valueBase64 = this.data.toString('base64');
    else record.value = (this.data ?? null) as ProduceRecord['value'];
    if (this.partition !== undefined) record.partition = this.partition;
    if (this.timestamp !== undefined) record.timestamp = this.timestamp;
    const { deliverAt, delayMs, idempotencyKey } = this.delivery;
    if (deliverAt !== undefined) record.deliverAt = deliverAt;
    if (delayMs !== undefined) record.delayMs = delayMs;
    if (idempotencyKey !== undefined) record.idempotencyKey = idempotencyKey;
    return record;
  }
}

/**
 * Builds a {@link ShoalRecord}, as `KafkaRecordBuilder` does for Kafka:
 * `client.emit('orders', new ShoalRecordBuilder(order).setKey(order.customerId).build())`.
 */
export class ShoalRecordBuilder<T = unknown> {
  private key: string | Buffer | null = null;
  private headers: RecordHeaders = {};
  private partition: number | undefined;
  private timestamp: number | undefined;
  private delivery: ShoalRecordDelivery = {};

  constructor(private data: T) {}

  setData(data: T): this {
    this.data = data;
    return this;
  }

  /** The key (text, or any bytes): records with one key go to one partition (Kafka's murmur2 partitioner). */
  setKey(key: string | Buffer | null): this {
    this.key = key;
    return this;
  }

  setHeaders(headers: RecordHeaders): this {
    this.headers = { ...headers };
    return this;
  }

  /** An explicit partition, overriding the key. */
  setPartition(partition: number): this {
    this.partition = partition;
    return this;
  }

  setTimestamp(timestamp: number): this {
    this.timestamp = timestamp;
    return this;
  }

  /** Appended `delayMs` from when the broker receives it, not now: a delayed job (replaces `setDeliverAt`). */
  setDelay(delayMs: number): this {
    this.delivery = { ...this.delivery, delayMs, deliverAt: undefined };
    return this;
  }

  /** Appended at this time (a Date or ms since the epoch): a scheduled job (replaces `setDelay`). */
  setDeliverAt(at: Date | number): this {
    this.delivery = { ...this.delivery, deliverAt: typeof at === 'number' ? at : at.getTime(), delayMs: undefined };
    return this;
  }

  /**
   * A key the broker appends once per topic within its idempotency window (24 h by default): a
   * retried emit with the same key resolves with the first record's position and
   * `duplicate: true`. When every record of a request has one, `ShoalClient` retries the
   * request after a lost answer too.
   */
  setIdempotencyKey(key: string): this {
    this.delivery = { ...this.delivery, idempotencyKey: key };
    return this;
  }

  build(): ShoalRecord<T> {
    return new ShoalRecord(this.data, this.key, this.headers, this.partition, this.timestamp, { ...this.delivery });
  }
}
