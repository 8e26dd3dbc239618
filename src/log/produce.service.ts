import { Injectable } from '@nestjs/common';
import type { RecordPosition } from '@shoal/protocol';
import type { AppendRecord } from './domain/record.js';
import { Database } from '../storage/database.js';
import { GroupCommit } from '../platform/group-commit.js';
import { type AppendRequest, LogAppender } from './log-appender.js';
import { ProduceHooks } from './produce.hooks.js';

/** Where a request's records landed, and the flush that makes them durable. */
interface Appended {
  positions: RecordPosition[];
  durable: Promise<void>;
}

/** Records per transaction at most; a larger backlog is split over several commits. */
const MAX_RECORDS_PER_COMMIT = 50_000;

/**
 * Appends validated records. Concurrent requests share one transaction (group commit); each
 * request is still all or nothing, and is answered only after its transaction committed and
 * was flushed to disk.
 */
@Injectable()
export class ProduceService {
  private readonly commits = new GroupCommit<AppendRequest, Appended>(
    async (batch) => {
      // The next batch's transaction starts while this one's flush runs: commits and flushes overlap.
      // On PostgreSQL one statement where it can, a transaction of its own (see LogAppender.appendAlone).
      const { result, durable } = await this.database.commit(
        async (sql) => (await this.appender.appendAlone(sql, batch)) ?? this.appender.append(sql, batch),
      );
      // Woken now, a reader acquires meanwhile; it answers only once this flush is done (see Database.commit).
      this.appender.announce(result.heads);
      durable.catch(() => undefined); // awaited by each request below
      return result.outcomes.map((outcome, i) => {
        if (!outcome.ok) return outcome;
        this.hooks.produced.emit(
          batch[i].topic,
          batch[i].records.length,
          batch[i].records.reduce((n, r) => n + r.size, 0),
        );
        return { ok: true, value: { positions: outcome.value, durable } };
      });
    },
    (request) => request.records.length,
    MAX_RECORDS_PER_COMMIT,
  );

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    private readonly hooks: ProduceHooks,
  ) {}

  async produce(topic: string, records: AppendRecord[]): Promise<RecordPosition[]> {
    // Scheduled records and idempotency keys take a transaction of their own (issue 16): the jobs' path.
    const detour = this.hooks.detour.current;
    if (detour && records.some((record) => detour.wants(record))) return detour.produce(topic, records);
    const { positions, durable } = await this.commits.submit({ topic, records });
    await durable;
    return positions;
  }
}
