import { Injectable } from '@nestjs/common';
import type { RecordPosition } from '@shoal/protocol';
import type { AppendRecord } from './domain/record.js';
import { Listeners, Slot } from '../platform/hooks.js';
import type { Sql } from '../storage/database.js';

/** Another path for records plain produce does not take: the jobs' (scheduled records, idempotency keys). */
export interface ProduceDetour {
  /** Whether `record` needs this path. */
  wants(record: AppendRecord): boolean;
  produce(topic: string, records: AppendRecord[]): Promise<RecordPosition[]>;
  /** The same inside a caller's transaction; `afterCommit` announces what it did once committed. */
  write(
    sql: Sql,
    topic: string,
    records: AppendRecord[],
  ): Promise<{ positions: RecordPosition[]; afterCommit(): void }>;
}

/** Where the layers above the log plug into produce (the log imports none of them). */
@Injectable()
export class ProduceHooks {
  /** Filled by `JobProduceService`: a request with a record it wants goes its way. */
  readonly detour = new Slot<ProduceDetour>();
  /** Records appended by any produce path, by topic, with their bytes (`ShoalMetrics` counts them). */
  readonly produced = new Listeners<[topic: string, records: number, bytes: number]>();
}
