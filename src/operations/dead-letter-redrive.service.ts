import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RedriveRequest, RedriveResponse } from '@shoal/protocol';
import { type Clock, CLOCK } from '../platform/clock.js';
import { UnknownGroupError, UnknownPartitionError } from '../platform/errors/index.js';
import { type AppendRecord, keySize, type StoredRecord, valueSize } from '../log/domain/record.js';
import { headerEntries, headerObject, storeHeaders } from '../log/domain/record-headers.js';
import type { Topic } from '../log/domain/topic.js';
import { Database, type Sql } from '../storage/database.js';
import { logStore } from '../log/storage/log.store.js';
import { operationsStore } from './storage/operations.store.js';
import { topicStore } from '../log/storage/topic.store.js';
import { LogAppender } from '../log/log-appender.js';
import { requireTopic } from '../log/topic.service.js';
import { ShareGroupCoordinator } from '../share-groups/share-group.coordinator.js';
import type { ShareGroupTransaction } from '../share-groups/share-group.transaction.js';

/** Records read and copied per transaction. */
const CHUNK = 500;
const DLQ_PREFIX = 'shoal.dlq.';

/**
 * Copies records of a dead-letter topic back to the topic named in their `shoal.dlq.topic`
 * header (to `shoal.dlq.partition` when the topic still has it), keeping key, value and the
 * headers other than `shoal.dlq.*`. Idempotent: each dead-letter record is marked in the copy's
 * transaction, so redriving it again copies nothing.
 *
 * With `group` (issue 27) nothing is copied: the original records (`shoal.dlq.topic`,
 * `…partition`, `…offset`) that this share group dead-lettered (`shoal.dlq.group`) become
 * available again in that group only, delivery count 0, while still in the log; every other
 * group reading the topic is untouched. Marked in the same transaction, so once either way.
 */
@Injectable()
export class DeadLetterRedriveService {
  private readonly logger = new Logger(DeadLetterRedriveService.name);

  constructor(
    private readonly database: Database,
    private readonly appender: LogAppender,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly shareGroups: ShareGroupCoordinator,
  ) {}

  async redrive(topicName: string, request: RedriveRequest): Promise<RedriveResponse> {
    const { topic, windows } = await this.database.run(async (sql) => {
      const found = await requireTopic(sql, topicName);
      return { topic: found, windows: await topicStore.partitions(sql, found.id) };
    });
    if (request.partition !== undefined && request.partition >= topic.partitionCount)
      throw new UnknownPartitionError(topicName, request.partition);
    const total: RedriveResponse = { redriven: 0, alreadyRedriven: 0, skipped: 0 };
    for (const window of windows) {
      if (request.partition !== undefined && window.partition !== request.partition) continue;
      const last = Math.min(window.endOffset - 1, request.lastOffset ?? Number.MAX_SAFE_INTEGER);
      for (let from = Math.max(window.startOffset, request.offset ?? 0); from <= last; from += CHUNK) {
        const count = Math.min(CHUNK, last - from + 1);
        const done =
          request.group === undefined
            ? await this.redriveChunk(topic, window.partition, from, count)
            : await this.redriveIntoGroup(request.group, topic, window.partition, from, count);
        total.redriven += done.redriven;
        total.alreadyRedriven += done.alreadyRedriven;
        total.skipped += done.skipped;
      }
    }
    this.logger.log(
      `redrove ${total.redriven} records of ${topicName}${request.group === undefined ? '' : ` into group ${request.group}`} (${total.alreadyRedriven} redriven before, ${total.skipped} skipped)`,
    );
    return total;
  }

  private async redriveChunk(topic: Topic, partition: number, from: number, count: number): Promise<RedriveResponse> {
    const result = await this.database.transaction(async (sql) => {
      const stored = await logStore.read(sql, topic.id, partition, from, count);
      const targets = await this.targets(sql, stored);
      const byTopic = new Map<string, AppendRecord[]>();
      const done: RedriveResponse = { redriven: 0, alreadyRedriven: 0, skipped: 0 };
      for (const record of stored) {
        const copy = toCopy(record, targets);
        if (!copy) done.skipped++;
        else if (!(await operationsStore.markRedriven(sql, topic.id, partition, record.offset, this.clock.now())))
          done.alreadyRedriven++;
        else {
          byTopic.set(copy.topic, [...(byTopic.get(copy.topic) ?? []), copy.record]);
          done.redriven++;
        }
      }
      if (byTopic.size === 0) return { done, heads: [] };
      const appended = await this.appender.append(
        sql,
        [...byTopic].map(([name, records]) => ({ topic: name, records })),
      );
      const failed = appended.outcomes.find((o) => !o.ok);
      if (failed && !failed.ok) throw failed.error;
      return { done, heads: appended.heads };
    });
    this.appender.announce(result.heads);
    return result.done;
  }

  /**
   * One chunk of a redrive into `group`, in the group's transaction: the dead-letter records it
   * archived are reopened there (see {@link SharePartition.reopen}) and marked; the
   * rest (another group's, no source, source gone from the log or not archived) are skipped.
   */
  private async redriveIntoGroup(
    group: string,
    topic: Topic,
    partition: number,
    from: number,
    count: number,
  ): Promise<RedriveResponse> {
    return this.shareGroups.withGroup(
      group,
      () => new UnknownGroupError(group),
      async (tx: ShareGroupTransaction) => {
        const { sql } = tx;
        const stored = await logStore.read(sql, topic.id, partition, from, count);
        const targets = await this.targets(sql, stored);
        const done: RedriveResponse = { redriven: 0, alreadyRedriven: 0, skipped: 0 };
        const marked = await operationsStore.redriven(
          sql,
          topic.id,
          partition,
          stored.map((r) => r.offset),
        );
        // Source (topic id, partition) → source offset → the dead-letter offsets naming it.
        const sources = new Map<string, { topic: Topic; partition: number; offsets: Map<number, number[]> }>();
        for (const record of stored) {
          const source = sourceOf(record, targets);
          if (!source || source.group !== group) done.skipped++;
          else if (marked.has(record.offset)) done.alreadyRedriven++;
          else {
            const id = `${source.topic.id}:${source.partition}`;
            const entry = sources.get(id) ?? { topic: source.topic, partition: source.partition, offsets: new Map() };
            entry.offsets.set(source.offset, [...(entry.offsets.get(source.offset) ?? []), record.offset]);
            sources.set(id, entry);
          }
        }
        const ordered = [...sources.values()].sort((a, b) => a.topic.id - b.topic.id || a.partition - b.partition);
        for (const source of ordered) {
          const reopened = new Set(await tx.reopen(source.topic, source.partition, [...source.offsets.keys()]));
          for (const [offset, deadLetters] of source.offsets) {
            if (!reopened.has(offset)) {
              done.skipped += deadLetters.length;
              continue;
            }
            // Two dead-letter copies of one record (archived twice): both marked, one reopening.
            for (const deadLetter of deadLetters)
              await operationsStore.markRedriven(sql, topic.id, partition, deadLetter, this.clock.now());
            done.redriven++;
            done.alreadyRedriven += deadLetters.length - 1;
          }
        }
        return done;
      },
    );
  }

  private async targets(sql: Sql, records: StoredRecord[]): Promise<Map<string, Topic>> {
    const names = new Set<string>();
    for (const r of records) {
      const source = parseHeaders(r.headers)['shoal.dlq.topic'];
      if (source) names.add(source);
    }
    if (names.size === 0) return new Map();
    return new Map((await topicStore.findByNames(sql, [...names])).map((t) => [t.name, t]));
  }
}

function parseHeaders(headers: string | null): Record<string, string> {
  return headerObject(headers);
}

/** Where a dead-letter record came from, by its `shoal.dlq.*` headers; null when they name no record of a topic that exists. */
function sourceOf(
  record: StoredRecord,
  targets: Map<string, Topic>,
): { topic: Topic; partition: number; offset: number; group: string | undefined } | null {
  const all = parseHeaders(record.headers);
  const topic = targets.get(all['shoal.dlq.topic'] ?? '');
  const partition = Number(all['shoal.dlq.partition']);
  const offset = Number(all['shoal.dlq.offset']);
  if (!topic || !Number.isSafeInteger(partition) || partition < 0 || partition >= topic.partitionCount) return null;
  if (!Number.isSafeInteger(offset) || offset < 0) return null;
  return { topic, partition, offset, group: all['shoal.dlq.group'] };
}

/** The copy of a dead-letter record for its source topic, or null when it names none that exists. */
function toCopy(record: StoredRecord, targets: Map<string, Topic>): { topic: string; record: AppendRecord } | null {
  const all = parseHeaders(record.headers);
  const target = targets.get(all['shoal.dlq.topic'] ?? '');
  if (!target) return null;
  const kept = storeHeaders(headerEntries(record.headers).filter((h) => !h.name.startsWith(DLQ_PREFIX)));
  const sourcePartition = Number(all['shoal.dlq.partition']);
  const partition =
    Number.isSafeInteger(sourcePartition) && sourcePartition >= 0 && sourcePartition < target.partitionCount
      ? sourcePartition
      : null;
  return {
    topic: target.name,
    record: {
      key: record.key,
      value: record.value,
      headers: kept.text,
      timestamp: null,
      partition,
      size: keySize(record.key) + valueSize(record.value) + kept.bytes,
    },
  };
}
