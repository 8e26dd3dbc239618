import type { Acknowledgement, AckType } from '@shoal/protocol';
import fc from 'fast-check';
import { publicMemberId } from '../../src/security/domain/member-id.js';
import { RecordState } from '../../src/share-groups/domain/record-state.js';
import { ShareInFlightService } from '../../src/operations/share-in-flight.service.js';
import { sharePartitionStore } from '../../src/share-groups/storage/share-partition.store.js';
import { type LogContext, openLogContext } from '../support/log-context.js';
import { ShareRecordModel } from '../support/share-record-model.js';
import { STORAGE_KINDS } from '../support/storage.js';

const LOCK_MS = 5_000;
const LIMIT = 3;
const MAX_IN_FLIGHT = 100;
const MEMBERS = 3;
const RUNS = { sqlite: 25, postgres: 12 };
const STATE_NAMES = { 0: 'available', 1: 'acquired', 2: 'acknowledged', 4: 'archived' } as const;

type Command =
  | { kind: 'fetch'; member: number; max: number }
  | { kind: 'ack'; member: number; entries: EntryPick[] }
  | { kind: 'advance'; ms: number }
  | { kind: 'produce'; count: number }
  | { kind: 'leave'; member: number }
  | { kind: 'restart' };

const member = fc.nat(MEMBERS - 1);
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('fetch' as const), member, max: fc.integer({ min: 1, max: 12 }) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('ack' as const),
      member,
      entries: fc.array(
        fc.record({
          shape: fc.constantFrom<Shape>('run', 'run', 'part', 'part', 'any'),
          pick: fc.nat(1_000),
          length: fc.nat(6),
          type: fc.constantFrom<AckType>('accept', 'accept', 'accept', 'release', 'reject', 'renew'),
          delayMs: fc.constantFrom(0, 0, 1_000, 4_000),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.nat(1_500) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: LOCK_MS - 1_000, max: LOCK_MS + 1_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('produce' as const), count: fc.integer({ min: 1, max: 30 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), member }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

describe.each(STORAGE_KINDS)('sharePartitionStore ranges against the per-record model on %s', (kind) => {
  let log: LogContext;
  let run = 0;
  beforeAll(async () => {
    log = await openLogContext(kind, 1_000_000);
  });
  afterAll(() => log.close());

  it('gives the same fetches, ack results, in-flight view, counts and dead letters for any sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 60 }), async (commands) => {
        await replay(log, `rng-${kind}-${run++}`, commands);
      }),
      { numRuns: RUNS[kind], seed: 1_764_806_400, endOnFailure: true },
    );
  });
});

/** Runs `commands` on a new topic and group, comparing every visible outcome with the model. */
async function replay(log: LogContext, name: string, commands: Command[]): Promise<void> {
  const [topic, dlq, group] = [`${name}-jobs`, `${name}-dlq`, `${name}-workers`];
  await log.topics.create(topic, 1, undefined);
  await log.topics.create(dlq, 1, undefined);
  await log.shares.updateConfig(group, {
    autoOffsetReset: 'earliest',
    deliveryCountLimit: LIMIT,
    recordLockDurationMs: LOCK_MS,
    maxInFlightRecordsPerPartition: MAX_IN_FLIGHT,
    deadLetterTopic: dlq,
  });
  const model = new ShareRecordModel({
    lockDurationMs: LOCK_MS,
    deliveryCountLimit: LIMIT,
    maxInFlight: MAX_IN_FLIGHT,
  });
  const join = async () => (await log.shares.join(group, { topics: [topic], sessionTimeoutMs: 3_600_000 })).memberId;
  const members: string[] = [];
  for (let i = 0; i < MEMBERS; i++) members.push(await join());
  const produce = async (count: number) => {
    await log.produce(
      topic,
      Array.from({ length: count }, (_, i) => ({ value: i })),
    );
    model.logEndOffset += count;
  };
  await produce(40);

  // Describe lists the subscribed partition before its first fetch too, as not opened.
  let opened = false;
  for (const [step, c] of commands.entries()) {
    const now = log.clock.now();
    if (c.kind === 'fetch') {
      opened = true;
      const answer = await log.shareFetch.fetch(group, members[c.member], {
        maxRecords: c.max,
        maxWaitMs: 0,
        acks: [],
      });
      const got = answer.records.map((r) => ({
        offset: r.offset,
        deliveryCount: r.deliveryCount,
        lockExpiresAt: r.lockExpiresAt,
      }));
      expect({ step, got }).toEqual({ step, got: model.fetch(now, members[c.member], c.max) });
    } else if (c.kind === 'ack') {
      // The first member from the chosen one that holds records (else the chosen one).
      const holds = (m: string) => model.view(now).some((r) => r.memberId === m && r.state === RecordState.Acquired);
      const order = members.map((_, i) => members[(c.member + i) % MEMBERS]);
      const who = order.find(holds) ?? members[c.member];
      const entries = ackEntries(model, who, now, c.entries);
      const acks: Acknowledgement[] = entries.map((e) => ({ topic, partition: 0, ...e }));
      const results = await log.shareFetch.acknowledge(group, who, acks);
      const errors = model.acknowledge(now, who, entries);
      expect({ step, errors: results.map((r) => r.error) }).toEqual({ step, errors });
    } else if (c.kind === 'advance') log.clock.advance(c.ms);
    else if (c.kind === 'produce') await produce(c.count);
    else if (c.kind === 'restart') await log.restart();
    else {
      await log.shares.leave(group, members[c.member]);
      model.leave(now, members[c.member]);
      members[c.member] = await join();
    }
    await compareState(log, model, group, topic, step, opened);
  }
  await compareDeadLetters(log, model, dlq);
}

type Shape = 'run' | 'part' | 'any';
interface EntryPick {
  shape: Shape;
  pick: number;
  length: number;
  type: AckType;
  delayMs: number;
}

/**
 * Ack entries: a whole run of consecutive records the member holds (a batch, or what is left
 * of one), part of such a run, or any offset and length (mostly not held: refused).
 */
function ackEntries(
  model: ShareRecordModel,
  memberId: string,
  now: number,
  picks: EntryPick[],
): { offset: number; lastOffset: number; type: AckType; delayMs?: number }[] {
  // Each entry over records no earlier entry of the ack has settled.
  const used = new Set<number>();
  const held = (o: number) => {
    const r = model.records.get(o);
    return (
      !used.has(o) &&
      r !== undefined &&
      r.memberId === memberId &&
      r.state === RecordState.Acquired &&
      r.lockExpiresAt! > now
    );
  };
  const mine = [...model.records.keys()].filter(held).sort((a, b) => a - b);
  const all = [...model.records.keys(), model.endOffset].sort((a, b) => a - b);
  return picks.map(({ shape, pick, length, type, delayMs }) => {
    const options = { type, ...(type === 'release' && delayMs > 0 ? { delayMs } : {}) };
    if (shape === 'any' || mine.length === 0) {
      const offset = all[pick % all.length];
      return { offset, lastOffset: offset + length, ...options };
    }
    const free = mine.filter(held);
    if (free.length === 0) return { offset: mine[0], lastOffset: mine[0], ...options };
    let [first, last] = [free[pick % free.length], free[pick % free.length]];
    if (shape === 'run') while (held(first - 1)) first--;
    while (held(last + 1) && (shape === 'run' || last - first < length)) last++;
    if (type !== 'renew') for (let o = first; o <= last; o++) used.add(o);
    return { offset: first, lastOffset: last, ...options };
  });
}

async function compareState(
  log: LogContext,
  model: ShareRecordModel,
  group: string,
  topic: string,
  step: number,
  opened: boolean,
): Promise<void> {
  const now = log.clock.now();
  const view = await log.service(ShareInFlightService).list(group, topic, 0, 0, 1_000);
  const expected = model.view(now);
  expect({ step, start: view.startOffset, end: view.endOffset, records: view.records }).toEqual({
    step,
    start: model.startOffset,
    end: model.endOffset,
    records: expected.map((r) => ({
      offset: r.offset,
      state: STATE_NAMES[r.state as 0 | 1 | 2 | 4],
      deliveryCount: r.deliveryCount,
      memberId: r.memberId === null ? null : publicMemberId(r.memberId),
      lockExpiresAt: r.lockExpiresAt,
      availableAt: r.availableAt,
    })),
  });
  const [described] = (await log.shares.describe(group)).partitions;
  const count = (state: RecordState) => expected.filter((r) => r.state === state).length;
  expect({ step, described: described && { ...described } }).toEqual({
    step,
    described: described && {
      topic,
      partition: 0,
      opened,
      startOffset: model.startOffset,
      endOffset: model.endOffset,
      available: count(RecordState.Available),
      acquired: count(RecordState.Acquired),
      acknowledged: count(RecordState.Acknowledged),
      archived: count(RecordState.Archived),
      lag: model.logEndOffset - model.startOffset - count(RecordState.Acknowledged) - count(RecordState.Archived),
    },
  });
  // Ranges, not rows per record: never more rows than records.
  const rows = await log.database.run(async (sql) => {
    const topicRow = (await sql.rows<{ id: number }>('SELECT id FROM shoal_topic WHERE name = $1', [topic]))[0];
    const groupRow = (await sql.rows<{ id: number }>('SELECT id FROM shoal_share_group WHERE name = $1', [group]))[0];
    if (!topicRow || !groupRow) return [];
    const key = { groupId: Number(groupRow.id), topicId: Number(topicRow.id), partition: 0 };
    return sharePartitionStore.rangesFrom(sql, key, 0, 10_000);
  });
  expect({ step, rows: rows.length <= expected.length }).toEqual({ step, rows: true });
}

async function compareDeadLetters(log: LogContext, model: ShareRecordModel, dlq: string): Promise<void> {
  const read = await log.reader.read(dlq, 0, { offset: 0, maxRecords: 10_000, maxWaitMs: 0 });
  const copied = read.records.map((r) => Number(r.headers['shoal.dlq.offset'])).sort((a, b) => a - b);
  expect(copied).toEqual([...model.archived].sort((a, b) => a - b));
}
