import { Injectable } from '@nestjs/common';
import type { RecordPosition } from '@shoal/protocol';
import type { AppendRecord } from './domain/record.js';
import { Database } from '../storage/database.js';
import { GroupCommit } from '../platform/group-commit.js';
import { type AppendRequest, type AppendResult, LogAppender } from './log-appender.js';
import type { Sql } from '../storage/database.js';
import { securityStore } from '../security/storage/security.store.js';
import { KeysAppeared } from '../security/deferred-auth.js';
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
      const { result, durable } = await this.database.commit((sql) => this.append(sql, batch));
      // Woken now, a reader acquires meanwhile; it answers only once this flush is done (see Database.commit).
      this.appender.announce(result.heads, result.relayed);
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

  /**
   * A batch's append: one statement where it can; else the transaction. Requests that asked for
   * no API key fail with KeysAppeared when one exists (checked in the statement, or here), and
   * the others are appended without them.
   */
  private async append(sql: Sql, batch: AppendRequest[]): Promise<AppendResult> {
    const alone = await this.appender.appendAlone(sql, batch);
    if (alone !== null && alone !== 'keyed') return alone;
    const guarded = batch.some((request) => request.ifNoKeys);
    if (alone === null && !(guarded && (await securityStore.anyKey(sql)))) return this.appender.append(sql, batch);
    const rest = batch.filter((request) => !request.ifNoKeys);
    const appended = rest.length > 0 ? await this.appender.append(sql, rest) : { outcomes: [], heads: [] };
    let next = 0;
    return {
      outcomes: batch.map((request) =>
        request.ifNoKeys ? { ok: false, error: new KeysAppeared() } : appended.outcomes[next++],
      ),
      heads: appended.heads,
    };
  }

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    private readonly hooks: ProduceHooks,
  ) {}

  /**
   * `ifNoKeys`: the request's auth check was deferred (security/deferred-auth.ts): nothing is
   * written if an API key exists, and it fails with KeysAppeared.
   */
  async produce(topic: string, records: AppendRecord[], ifNoKeys = false): Promise<RecordPosition[]> {
    // Scheduled records and idempotency keys take a transaction of their own (issue 16): the jobs' path.
    const detour = this.hooks.detour.current;
    if (detour && records.some((record) => detour.wants(record))) {
      if (ifNoKeys && (await this.database.peek((sql) => securityStore.anyKey(sql)))) throw new KeysAppeared();
      return detour.produce(topic, records);
    }
    const { positions, durable } = await this.commits.submit({ topic, records, ifNoKeys });
    await durable;
    return positions;
  }
}
