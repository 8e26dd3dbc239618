import { BaseRpcContext } from '@nestjs/microservices';
import type { AcquiredRecord, RecordHeaders, WireRecord } from '@shoal/protocol';

/** What a context needs to acknowledge its record by hand (share mode). */
export interface RecordSettler {
  accept(): void;
  release(delayMs?: number): void;
  reject(): void;
  renew(): Promise<void>;
}

type ShoalContextArgs = [record: WireRecord & Partial<Pick<AcquiredRecord, 'deliveryCount' | 'lockExpiresAt'>>, settler: RecordSettler | null];

/**
 * The context of a Shoal handler, as `KafkaContext` is for Kafka: the record's coordinates and
 * metadata through named getters, and in share mode manual acknowledgement. A handler that
 * settles its record by hand is not acknowledged again by its outcome.
 */
export class ShoalContext extends BaseRpcContext<ShoalContextArgs> {
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

  getKey(): string | null {
    return this.args[0].key;
  }

  getHeaders(): RecordHeaders {
    return this.args[0].headers;
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
  }

  /** Releases the record for another delivery, after `delayMs` if given. */
  release(delayMs?: number): void {
    this.settler().release(delayMs);
  }

  /** Rejects the record: archived, never delivered again. */
  reject(): void {
    this.settler().reject();
  }

  /** Renews the record's lock for another lock duration. */
  renew(): Promise<void> {
    return this.settler().renew();
  }

  private settler(): RecordSettler {
    const settler = this.args[1];
    if (!settler) throw new Error('manual acknowledgement is for share-group workers only');
    return settler;
  }
}
