import { Command } from 'commander';
import { action, integer } from '../context.js';

/** `shoal dlq redrive <topic> [--group g]`. */
export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('dead-letter topics');
  dlq
    .command('redrive <topic>')
    .description('copy dead-letter records back to their source topics (once; shoal.dlq.* headers dropped)')
    .option('-p, --partition <p>', 'only this partition', integer('--partition'))
    .option('--offset <o>', 'from this offset', integer('--offset'))
    .option('--last-offset <o>', 'up to this offset (inclusive)', integer('--last-offset'))
    .option('--group <group>', 'instead of copying: make the originals available again in this share group only')
    .action(
      action(
        async (
          cli,
          topic: string,
          options: { partition?: number; offset?: number; lastOffset?: number; group?: string },
        ) => {
          const result = await cli.client.redrive(topic, options);
          cli.print(result, () =>
            options.group === undefined
              ? `redrove ${result.redriven} records of ${topic} (${result.alreadyRedriven} redriven before, ${result.skipped} without a source topic)`
              : `made ${result.redriven} records of ${topic} available again in ${options.group} (${result.alreadyRedriven} redriven before, ${result.skipped} skipped)`,
          );
        },
      ),
    );
  return dlq;
}
