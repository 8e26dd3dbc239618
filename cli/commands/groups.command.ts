import { Command } from 'commander';
import type { GroupList, ResetTarget, ShareGroupConfigView } from '@shoal/protocol';
import { action, type CliContext, integer, UsageError } from '../context.js';
import { table, time } from '../table.js';

interface ResetOptions {
  topic: string;
  partition?: number;
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: number;
  toTimestamp?: number;
}

function resetTarget(options: ResetOptions): ResetTarget {
  const targets: ResetTarget[] = [
    ...(options.toEarliest ? ['earliest' as const] : []),
    ...(options.toLatest ? ['latest' as const] : []),
    ...(options.toOffset !== undefined ? [{ offset: options.toOffset }] : []),
    ...(options.toTimestamp !== undefined ? [{ timestamp: options.toTimestamp }] : []),
  ];
  if (targets.length !== 1) throw new UsageError('give one of --to-earliest, --to-latest, --to-offset, --to-timestamp');
  return targets[0];
}

function withResetOptions(command: Command): Command {
  return command
    .requiredOption('-t, --topic <topic>', 'the topic to reset')
    .option('-p, --partition <p>', 'only this partition', integer('--partition'))
    .option('--to-earliest', 'to the start offset')
    .option('--to-latest', 'to the end offset')
    .option('--to-offset <o>', 'to this offset', integer('--to-offset'))
    .option('--to-timestamp <ms>', 'to the first record at or after this time', integer('--to-timestamp'));
}

function listCommand(kind: 'consumer' | 'share'): Command {
  return new Command('list')
    .description(`list ${kind} groups: state, members, total lag`)
    .option('--after <name>', 'start after this group name')
    .option('--limit <n>', 'groups per page', integer('--limit'), 100)
    .action(
      action(async (cli, options: { after?: string; limit: number }) => {
        const page: GroupList = await cli.client.listGroups(kind, options);
        cli.print(page, () => {
          const rows = page.groups.map((g) => [g.name, g.state, g.members, g.lag]);
          const more = page.next ? `\n(more: --after ${page.next})` : '';
          return table(['GROUP', 'STATE', 'MEMBERS', 'LAG'], rows) + more;
        });
      }),
    );
}

/** `shoal groups list|describe|reset-offsets|delete`: consumer groups. */
export function groupsCommand(): Command {
  const groups = new Command('groups').description('consumer groups');
  groups.addCommand(listCommand('consumer'));
  groups
    .command('describe <group>')
    .description('state, generation, members and their partitions, committed offsets and lag')
    .action(
      action(async (cli, name: string) => {
        const d = await cli.client.describeConsumerGroup(name);
        cli.print(d, () => {
          const members = d.members.map((m) => [
            m.memberId,
            m.assignment.map((a) => `${a.topic}/${a.partition}`).join(' '),
          ]);
          const offsets = d.offsets.map((o) => [o.topic, o.partition, o.committedOffset, o.endOffset, o.lag]);
          return [
            `group ${d.group}: ${d.state}, generation ${d.generation}, ${d.members.length} members`,
            table(['MEMBER', 'PARTITIONS'], members),
            table(['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'], offsets),
          ].join('\n\n');
        });
      }),
    );
  groups.addCommand(
    withResetOptions(new Command('reset-offsets').argument('<group>'))
      .description('move committed offsets (the group must have no members)')
      .action(
        action(async (cli, name: string, options: ResetOptions) => {
          await cli.client.resetConsumerGroupOffsets(name, {
            topic: options.topic,
            partition: options.partition,
            to: resetTarget(options),
          });
          const after = await cli.client.describeConsumerGroup(name);
          cli.print(after, () => `reset ${name} on ${options.topic}`);
        }),
      ),
  );
  groups
    .command('delete <group>')
    .description('delete a group (it must have no members)')
    .action(
      action(async (cli, name: string) => {
        await cli.client.deleteConsumerGroup(name);
        cli.print({ deleted: name }, () => `deleted consumer group ${name}`);
      }),
    );
  return groups;
}

async function describeShareGroup(cli: CliContext, name: string, inFlight: boolean): Promise<void> {
  const d = await cli.client.describeShareGroup(name);
  const records = inFlight
    ? await Promise.all(
        d.partitions.map((p) =>
          // A partition not started yet (no member fetched it) has nothing in flight.
          p.opened === false ? { records: [] } : cli.client.shareInFlight(name, p.topic, p.partition),
        ),
      )
    : [];
  const answer = inFlight ? { ...d, inFlight: d.partitions.map((p, i) => ({ ...p, records: records[i].records })) } : d;
  const totalLag = d.partitions.reduce((n, p) => n + p.lag, 0);
  cli.print(answer, () => {
    const members = d.members.map((m) => [m.memberId, m.assignment.map((a) => `${a.topic}/${a.partition}`).join(' ')]);
    const windows = d.partitions.map((p) => [
      p.topic,
      p.partition,
      p.startOffset,
      p.endOffset,
      p.available,
      p.acquired,
      p.acknowledged,
      p.archived,
      p.lag,
      p.opened === false ? 'no' : 'yes',
    ]);
    const parts = [
      `share group ${d.group}: ${d.members.length} members, total lag ${totalLag}, config ${JSON.stringify(d.config)}`,
      table(['MEMBER', 'PARTITIONS'], members),
      table(
        ['TOPIC', 'PARTITION', 'START', 'END', 'AVAILABLE', 'ACQUIRED', 'ACKED', 'ARCHIVED', 'LAG', 'STARTED'],
        windows,
      ),
    ];
    d.partitions.forEach((p, i) => {
      if (!inFlight || p.opened === false) return;
      const rows = records[i].records.map((r) => [
        r.offset,
        r.state,
        r.memberId,
        r.deliveryCount,
        time(r.lockExpiresAt),
      ]);
      parts.push(
        `${p.topic}/${p.partition} in flight:\n${table(['OFFSET', 'STATE', 'HOLDER', 'DELIVERIES', 'LOCK EXPIRES'], rows)}`,
      );
    });
    return parts.join('\n\n');
  });
}

interface ConfigOptions {
  lockMs?: number;
  deliveryLimit?: number;
  maxInFlight?: number;
  autoOffsetReset?: 'earliest' | 'latest';
  deadLetterTopic?: string;
}

/** `shoal share-groups list|describe|config|reset|delete`. */
export function shareGroupsCommand(): Command {
  const shares = new Command('share-groups').description('share groups (queues)');
  shares.addCommand(listCommand('share'));
  shares
    .command('describe <group>')
    .description('members, per share-partition window, counts by state and lag')
    .option('--in-flight', "also each share-partition's in-flight records")
    .action(
      action(async (cli, name: string, options: { inFlight?: boolean }) =>
        describeShareGroup(cli, name, options.inFlight === true),
      ),
    );
  shares
    .command('config <group>')
    .description('show the config, or change it with options (creates the group)')
    .option('--lock-ms <ms>', 'record lock duration', integer('--lock-ms'))
    .option('--delivery-limit <n>', 'delivery count limit (1 to 1000; 1 = run once)', integer('--delivery-limit'))
    .option('--max-in-flight <n>', 'in-flight records per partition', integer('--max-in-flight'))
    .option('--auto-offset-reset <where>', 'earliest or latest')
    .option('--dead-letter-topic <topic>', 'dead-letter topic ("" for none)')
    .action(
      action(async (cli, name: string, options: ConfigOptions) => {
        const change: Partial<ShareGroupConfigView> = {
          recordLockDurationMs: options.lockMs,
          deliveryCountLimit: options.deliveryLimit,
          maxInFlightRecordsPerPartition: options.maxInFlight,
          autoOffsetReset: options.autoOffsetReset,
          deadLetterTopic: options.deadLetterTopic === '' ? null : options.deadLetterTopic,
        };
        const given = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
        const config =
          Object.keys(given).length === 0
            ? (await cli.client.describeShareGroup(name)).config
            : await cli.client.updateShareGroupConfig(name, given);
        cli.print(config, () => table(['SETTING', 'VALUE'], Object.entries(config)));
      }),
    );
  shares.addCommand(
    withResetOptions(new Command('reset').argument('<group>'))
      .description('move start offsets (the group must have no members)')
      .action(
        action(async (cli, name: string, options: ResetOptions) => {
          await cli.client.resetShareGroupOffsets(name, {
            topic: options.topic,
            partition: options.partition,
            to: resetTarget(options),
          });
          const after = await cli.client.describeShareGroup(name);
          cli.print(after, () => `reset ${name} on ${options.topic}`);
        }),
      ),
  );
  shares
    .command('delete <group>')
    .description('delete a share group (it must have no members)')
    .action(
      action(async (cli, name: string) => {
        await cli.client.deleteShareGroup(name);
        cli.print({ deleted: name }, () => `deleted share group ${name}`);
      }),
    );
  return shares;
}
