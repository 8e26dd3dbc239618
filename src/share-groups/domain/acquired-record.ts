import type { StoredRecord } from '../../log/domain/record.js';

/**
 * A record a share fetch handed out, as stored (offset, timestamp, key, value and headers as
 * the log holds them), with where it is from and its delivery: each door encodes it — HTTP as
 * its JSON, Kafka as a record batch.
 */
export interface AcquiredStoredRecord extends StoredRecord {
  topic: string;
  partition: number;
  deliveryCount: number;
  lockExpiresAt: number;
}
