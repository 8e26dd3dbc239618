import { BaseRpcContext } from '@nestjs/microservices';
import {
  type AcquiredRecord,
  MAX_ACK_REASON_LENGTH,
  type ProduceBatch,
  type ProduceRecord,
  type RecordHeaders,
  type WireRecord,
} from '@shoal/protocol';

/** What a context needs to acknowledge its record by hand (share mode). */
export interface RecordSettler {
  accept(): void;
  release(delayMs?: number, reason?: string): void;
  reject(reason?: string): void;
  renew(): Promise<void>;
  progress(value: unknown): Promise<void>;
}

type ShoalContextArgs = [
  record: WireRecord & Partial<Pick<AcquiredRecord, 'deliveryCount' | 'lockExpiresAt'>>,
  settler: RecordSettler | null,
];

/**
 * The context of a Shoal handler, as `KafkaContext` is for Kafka: the record's coordinates and
 * metadata through named getters, and in share mode manual acknowledgement. A handler that
 * settles its record by hand is not acknowledged again by its outcome.
 */
export class ShoalContext extends BaseRpcContext<ShoalContextArgs> {
  /**
   * The handler's error as it was thrown, kept by {@link ShoalFailureInterceptor} (Nest's
   * exception filter hands the transport a generic one for errors that are not RpcExceptions).
   */
  failure?: unknown;
  /** Records {@link produce} holds for the record's accept or offset commit; null once they were taken. */
  private held: ProduceBatch[] | null = [];
  private byHand = false;

  /** Whether the handler settled its record by hand ({@link accept}, {@link release}, {@link reject}). */
  get settledByHand(): boolean {
    return this.byHand;
  }

  /** The record's topic (the handler's pattern). */
  getTopic(): string {
    return this.args[0].topic;
  }

  getPartition(): number {
    return this.args[0].partition;
  }

  getOffset(): number {
    return this.args[0].offset;
  }

  /** The key as text; null when there is none or its bytes are not UTF-8 (see {@link getKeyBytes}). */
  getKey(): string | null {
    return this.args[0].key ?? null;
  }

  /** The key's bytes, whatever they are; null when the record has no key. */
  getKeyBytes(): Buffer | null {
    const record = this.args[0];
    if (record.keyBase64 !== undefined) return Buffer.from(record.keyBase64, 'base64');
    return record.key === null || record.key === undefined ? null : Buffer.from(record.key, 'utf8');
  }

  /** The text headers (for a repeated name the last); {@link getHeaderList} has every one. */
  getHeaders(): RecordHeaders {
    return this.args[0].headers;
  }

  /** Every header in order, repeats kept, each value as bytes or null. */
  getHeaderList(): { name: string; value: Buffer | null }[] {
    const record = this.args[0];
    if (record.headerList === undefined)
      return Object.entries(record.headers).map(([name, value]) => ({ name, value: Buffer.from(value, 'utf8') }));
    return record.headerList.map((h) => ({
      name: h.name,
      value:
        h.valueBase64 !== undefined
          ? Buffer.from(h.valueBase64, 'base64')
          : h.value === null || h.value === undefined
            ? null
            : Buffer.from(h.value, 'utf8'),
    }));
  }

  getTimestamp(): number {
    return this.args[0].timestamp;
  }

  /** How many times this record has been delivered, this time included (share mode; 1 otherwise). */
  getDeliveryCount(): number {
    return this.args[0].deliveryCount ?? 1;
  }

  /** When the record's lock runs out, ms since the epoch (share mode). */
  getLockExpiresAt(): number | undefined {
    return this.args[0].lockExpiresAt;
  }

  /** The whole record as the broker sent it. */
  getRecord(): ShoalContextArgs[0] {
    return this.args[0];
  }

  /** Accepts the record now, whatever the handler does next. */
  accept(): void {
    this.settler().accept();
    this.byHand = true;
  }

  /**
   * Releases the record for another delivery, after `delayMs` if given. `reason` (cut to
   * 1,000 characters) goes to the dead-letter copy if this release reaches the delivery limit.
   */
  release(delayMs?: number, reason?: string): void {
    this.settler().release(delayMs, reason?.slice(0, MAX_ACK_REASON_LENGTH));
    this.byHand = true;
  }

  /**
   * Rejects the record: archived, never delivered again. `reason` (cut to 1,000 characters)
   * goes to the dead-letter copy as the `shoal.dlq.error` header.
   */
  reject(reason?: string): void {
    this.settler().reject(reason?.slice(0, MAX_ACK_REASON_LENGTH));
    this.byHand = true;
  }

  /** Renews the record's lock for another lock duration. */
  renew(): Promise<void> {
    return this.settler().renew();
  }

  /**
   * Stores the job's progress — any JSON of at most 4 KiB: a percentage, a step, an object —
   * with the record on the broker (the job lookup, `shoal jobs get` and the console show it);
   * it renews the record's lock too. Rejects when the worker no longer holds the record.
   */
  progress(value: unknown): Promise<void> {
    return this.settler().progress(value);
  }

  /**
   * Produces `records` to `topic` together with this record's outcome (exactly-once chaining):
   * held, and sent with the record's accept in one broker transaction (share mode), or with the
   * offset commit of its batch (consumer mode). A handler that throws produces nothing; an
   * accept the broker refuses (the lock ran out, the record went to another worker) produces
   * nothing either, and the record's next run produces instead. Records are the produce
   * route's (`key`, `value`, `headers`, `partition`, `idempotencyKey`, `delayMs`…).
   */
  produce(topic: string, records: ProduceRecord | ProduceRecord[]): void {
    if (this.held === null)
      throw new Error(
        `${this.getTopic()}/${this.getPartition()}@${this.getOffset()} is already settled: produce before accepting`,
      );
    const list = Array.isArray(records) ? records : [records];
    if (list.length > 0) this.held.push({ topic, records: list });
  }

  /** What {@link produce} held, taken once (by the worker, when it settles the record); later produces throw. */
  takeProduced(): ProduceBatch[] {
    const held = this.held ?? [];
    this.held = null;
    return held;
  }

  private settler(): RecordSettler {
    const settler = this.args[1];
    if (!settler) throw new Error('manual acknowledgement is for share-group workers only');
    return settler;
  }
}
