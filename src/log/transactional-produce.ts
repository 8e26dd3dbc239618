import { Injectable } from '@nestjs/common';
import type { RecordPosition } from '@shoal/protocol';
import type { AppendRecord } from './domain/record.js';
import type { Sql } from '../storage/database.js';
import { LogAppender } from './log-appender.js';
import { logStore } from './storage/log.store.js';
import { topicStore } from './storage/topic.store.js';
import { ProduceHooks } from './produce.hooks.js';

/** Records for one topic, checked, to produce inside another operation's transaction. */
export interface ProduceBatch {
  topic: string;
  records: AppendRecord[];
}

/** What a {@link TransactionalProduce.write} did: positions per batch, and what to announce once committed. */
export interface StagedProduce {
  positions: RecordPosition[][];
  /** After the commit (never after a rollback): wake readers, count the records, look for due scheduled ones. */
  afterCommit(): void;
}

/**
 * Produce inside a caller's transaction (an acknowledgement's, an offset commit's: exactly-once
 * job chaining, issue 26): plain records through the appender, records with `deliverAt`,
 * `delayMs` or an `idempotencyKey` through the jobs' detour, all in the caller's commit: if it
 * rolls back, nothing was produced. An unknown topic or partition throws (rolling it back).
 */
@Injectable()
export class TransactionalProduce {
  constructor(
    private readonly appender: LogAppender,
    private readonly hooks: ProduceHooks,
  ) {}

  async write(sql: Sql, batches: ProduceBatch[]): Promise<StagedProduce> {
    const positions: RecordPosition[][] = new Array(batches.length);
    const after: (() => void)[] = [];
    const plain: number[] = [];
    const detour = this.hooks.detour.current;
    const detoured = batches.map((batch) => detour !== undefined && batch.records.some((r) => detour.wants(r)));
    // More than one append in this transaction (the jobs' path per batch, plain records apart):
    // the partitions' rows are locked first, all at once in key order, as every other append
    // locks them, so two such transactions never wait for each other in a cycle (PostgreSQL).
    if (sql.kind === 'postgres' && detoured.filter(Boolean).length + (detoured.includes(false) ? 1 : 0) > 1)
      await this.lockPartitions(sql, batches);
    for (const [i, batch] of batches.entries()) {
      if (detour && detoured[i]) {
        const written = await detour.write(sql, batch.topic, batch.records);
        positions[i] = written.positions;
        after.push(written.afterCommit);
      } else plain.push(i);
    }
    if (plain.length > 0) {
      const result = await this.appender.append(
        sql,
        plain.map((i) => batches[i]),
      );
      result.outcomes.forEach((outcome, j) => {
        if (!outcome.ok) throw outcome.error;
        positions[plain[j]] = outcome.value;
      });
      after.push(() => {
        this.appender.announce(result.heads);
        for (const i of plain)
          this.hooks.produced.emit(
            batches[i].topic,
            batches[i].records.length,
            batches[i].records.reduce((n, r) => n + r.size, 0),
          );
      });
    }
    return { positions, afterCommit: () => after.forEach((announce) => announce()) };
  }

  private async lockPartitions(sql: Sql, batches: ProduceBatch[]): Promise<void> {
    const topics = await topicStore.findByNames(sql, [...new Set(batches.map((b) => b.topic))]);
    const keys = topics.flatMap((topic) =>
      Array.from({ length: topic.partitionCount }, (_, partition) => ({ topicId: topic.id, partition })),
    );
    if (keys.length > 0) await logStore.lockHeads(sql, keys);
  }
}
