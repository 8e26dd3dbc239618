import { createInterface } from 'node:readline';
import { Command } from 'commander';
import type { JsonValue, ProduceRecord, WireRecord } from '@shoal/protocol';
import { action, type CliContext, integer, UsageError } from '../context.js';

const BATCH = 1_000;

/** A line of stdin: its JSON value when it parses, else the text itself. */
function lineValue(line: string): JsonValue {
  try {
    return JSON.parse(line) as JsonValue;
  } catch {
    return line;
  }
}

function headerOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`--header must be name=value, got ${value}`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** `shoal produce <topic>`: one record per line of stdin. */
export function produceCommand(): Command {
  return new Command('produce')
    .argument('<topic>')
    .description('produce one record per line of stdin (JSON when the line parses, else a string)')
    .option('-k, --key <key>', 'the key of every record')
    .option('-p, --partition <p>', 'the partition of every record', integer('--partition'))
    .option('-H, --header <name=value>', 'a header on every record (repeatable)', headerOption)
    .action(
      action(
        async (cli, topic: string, options: { key?: string; partition?: number; header?: Record<string, string> }) => {
          let batch: ProduceRecord[] = [];
          let produced = 0;
          const flush = async () => {
            if (batch.length === 0) return;
            produced += (await cli.client.produce(topic, batch)).offsets.length;
            batch = [];
          };
          for await (const line of createInterface({ input: process.stdin })) {
            if (line.length === 0) continue;
            batch.push({
              value: lineValue(line),
              key: options.key,
              partition: options.partition,
              headers: options.header,
            });
            if (batch.length >= BATCH) await flush();
          }
          await flush();
          cli.print({ topic, produced }, () => `produced ${produced} records to ${topic}`);
        },
      ),
    );
}

interface ConsumeOptions {
  group?: string;
  fromBeginning?: boolean;
  partition?: number;
  offset?: number;
  maxRecords?: number;
  waitMs: number;
}

function printRecord(cli: CliContext, record: WireRecord): void {
  const value =
    record.tombstone === true
      ? '(tombstone)'
      : record.value !== undefined
        ? JSON.stringify(record.value)
        : `base64:${record.valueBase64}`;
  const key = record.keyBase64 !== undefined ? `base64:${record.keyBase64}` : (record.key ?? '-');
  process.stdout.write(
    cli.options.json ? `${JSON.stringify(record)}\n` : `${record.partition}\t${record.offset}\t${key}\t${value}\n`,
  );
}

/** `shoal consume <topic>`: prints records until caught up (or `--max-records`). */
export function consumeCommand(): Command {
  return new Command('consume')
    .argument('<topic>')
    .description(
      'print records until caught up: one line each (partition, offset, key, value), or JSON lines with --json',
    )
    .option('-g, --group <group>', 'consume as a member of this consumer group, committing what was printed')
    .option('--from-beginning', 'start at the earliest offset (a new group, or without a group)')
    .option('-p, --partition <p>', 'read only this partition', integer('--partition'))
    .option('-o, --offset <o>', 'start at this offset (with --partition)', integer('--offset'))
    .option('-n, --max-records <n>', 'stop after this many records', integer('--max-records'))
    .option('--wait-ms <ms>', 'how long to wait for more before stopping', integer('--wait-ms'), 1_000)
    .action(
      action(async (cli, topic: string, options: ConsumeOptions) => {
        if (options.offset !== undefined && options.partition === undefined)
          throw new UsageError('--offset needs --partition');
        if (options.group && options.partition !== undefined)
          throw new UsageError('--group and --partition do not go together');
        const limit = options.maxRecords ?? Number.MAX_SAFE_INTEGER;
        if (options.group) await consumeAsGroup(cli, topic, options.group, options, limit);
        else await consumeByOffset(cli, topic, options, limit);
      }),
    );
}

async function consumeByOffset(cli: CliContext, topic: string, options: ConsumeOptions, limit: number): Promise<void> {
  const described = await cli.client.describeTopic(topic);
  const partitions = described.partitions.filter(
    (p) => options.partition === undefined || p.partition === options.partition,
  );
  if (partitions.length === 0) throw new UsageError(`topic ${topic} has no partition ${options.partition}`);
  let printed = 0;
  for (const p of partitions) {
    let offset =
      options.offset ?? (options.fromBeginning || options.partition !== undefined ? p.startOffset : p.endOffset);
    while (printed < limit) {
      const answer = await cli.client.read(topic, p.partition, { offset, maxRecords: Math.min(500, limit - printed) });
      for (const record of answer.records) printRecord(cli, record);
      printed += answer.records.length;
      if (answer.records.length === 0 || answer.nextOffset >= answer.endOffset) break;
      offset = answer.nextOffset;
    }
  }
}

async function consumeAsGroup(
  cli: CliContext,
  topic: string,
  group: string,
  options: ConsumeOptions,
  limit: number,
): Promise<void> {
  const joined = await cli.client.joinConsumerGroup(group, {
    topics: [topic],
    autoOffsetReset: options.fromBeginning ? 'earliest' : 'latest',
  });
  let printed = 0;
  try {
    while (printed < limit) {
      const answer = await cli.client.consumerFetch(group, joined.memberId, {
        maxRecords: Math.min(500, limit - printed),
        maxWaitMs: options.waitMs,
      });
      if (answer.records.length === 0) break;
      const next = new Map<number, number>();
      for (const record of answer.records) {
        printRecord(cli, record);
        next.set(record.partition, record.offset + 1);
      }
      printed += answer.records.length;
      await cli.client.commitOffsets(
        group,
        joined.memberId,
        answer.generation,
        [...next].map(([partition, offset]) => ({ topic, partition, offset })),
      );
    }
  } finally {
    await cli.client.leaveConsumerGroup(group, joined.memberId);
  }
}
