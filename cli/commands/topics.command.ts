import { Command } from 'commander';
import type { TopicConfig, TopicDescription } from '@shoal/protocol';
import { action, integer } from '../context.js';
import { table } from '../table.js';

function describeText(topic: TopicDescription): string {
  const retention = `retention.ms ${topic.config.retentionMs ?? 'forever'}, retention.bytes ${topic.config.retentionBytes ?? 'unlimited'}`;
  const rows = topic.partitions.map((p) => [p.partition, p.startOffset, p.endOffset, p.endOffset - p.startOffset]);
  return `topic ${topic.name}: ${topic.partitions.length} partitions, ${retention}\n${table(['PARTITION', 'START', 'END', 'RECORDS'], rows)}`;
}

function retentionOptions(options: {
  retentionMs?: number;
  retentionBytes?: number;
}): Partial<TopicConfig> | undefined {
  const config: Partial<TopicConfig> = {};
  if (options.retentionMs !== undefined) config.retentionMs = options.retentionMs;
  if (options.retentionBytes !== undefined) config.retentionBytes = options.retentionBytes;
  return Object.keys(config).length === 0 ? undefined : config;
}

/** `shoal topics list|create|describe|alter|delete`. */
export function topicsCommand(): Command {
  const topics = new Command('topics').description('list, create, describe, alter and delete topics');
  topics
    .command('list')
    .description('list topics')
    .action(
      action(async (cli) => {
        const { topics: list } = await cli.client.listTopics();
        cli.print(list, () =>
          table(
            ['TOPIC', 'PARTITIONS'],
            list.map((t) => [t.name, t.partitions]),
          ),
        );
      }),
    );
  topics
    .command('create <topic>')
    .description('create a topic')
    .option('-p, --partitions <n>', 'partitions', integer('--partitions'), 1)
    .option('--retention-ms <ms>', 'keep records this long', integer('--retention-ms'))
    .option('--retention-bytes <bytes>', 'keep at most this many bytes per partition', integer('--retention-bytes'))
    .action(
      action(
        async (cli, name: string, options: { partitions: number; retentionMs?: number; retentionBytes?: number }) => {
          const created = await cli.client.createTopic({
            name,
            partitions: options.partitions,
            config: retentionOptions(options),
          });
          cli.print(created, () => `created ${describeText(created)}`);
        },
      ),
    );
  topics
    .command('describe <topic>')
    .description('partitions with start and end offsets, retention')
    .action(
      action(async (cli, name: string) => {
        const topic = await cli.client.describeTopic(name);
        cli.print(topic, () => describeText(topic));
      }),
    );
  topics
    .command('alter <topic>')
    .description('grow partitions or change retention')
    .option('-p, --partitions <n>', 'new partition count (only grows)', integer('--partitions'))
    .option('--retention-ms <ms>', 'keep records this long', integer('--retention-ms'))
    .option('--retention-bytes <bytes>', 'keep at most this many bytes per partition', integer('--retention-bytes'))
    .action(
      action(
        async (cli, name: string, options: { partitions?: number; retentionMs?: number; retentionBytes?: number }) => {
          const topic = await cli.client.updateTopic(name, {
            ...(options.partitions === undefined ? {} : { partitions: options.partitions }),
            ...(retentionOptions(options) ? { config: retentionOptions(options) } : {}),
          });
          cli.print(topic, () => describeText(topic));
        },
      ),
    );
  topics
    .command('delete <topic>')
    .description('delete a topic and its records')
    .action(
      action(async (cli, name: string) => {
        await cli.client.deleteTopic(name);
        cli.print({ deleted: name }, () => `deleted topic ${name}`);
      }),
    );
  return topics;
}
