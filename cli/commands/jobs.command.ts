import { Command } from 'commander';
import type { JobView } from '@shoal/protocol';
import { action, integer, UsageError } from '../context.js';
import { table, time } from '../table.js';

/** `shoal jobs get <group> <topic> (--partition p --offset o | --idempotency-key k)`: one job's state in a share group. */
export function jobsCommand(): Command {
  const jobs = new Command('jobs').description('one job of a share group');
  jobs
    .command('get <group> <topic>')
    .description(
      'a job by its offset or the idempotency key it was produced with: state, deliveries, holder, lock, progress, result, last reason',
    )
    .option('-p, --partition <p>', 'its partition (with --offset; default 0)', integer('--partition'))
    .option('--offset <o>', 'its offset', integer('--offset'))
    .option('--idempotency-key <key>', 'the idempotency key it was produced with (instead of --offset)')
    .action(
      action(
        async (
          cli,
          group: string,
          topic: string,
          options: { partition?: number; offset?: number; idempotencyKey?: string },
        ) => {
          if ((options.offset === undefined) === (options.idempotencyKey === undefined))
            throw new UsageError('give either --offset or --idempotency-key');
          const job =
            options.idempotencyKey === undefined
              ? await cli.client.shareJob(group, topic, options.partition ?? 0, options.offset!)
              : await cli.client.shareJobByIdempotencyKey(group, topic, options.idempotencyKey);
          cli.print(job, () => describe(job));
        },
      ),
    );
  return jobs;
}

function describe(job: JobView): string {
  return table(
    ['field', 'value'],
    [
      ['job', `${job.topic}/${job.partition}@${job.offset}`],
      ['state', job.outcome === null ? job.state : `${job.state} (${job.outcome})`],
      ['deliveries', job.deliveryCount],
      ['holder', job.memberId],
      ['lock expires', time(job.lockExpiresAt)],
      ['available at', time(job.availableAt)],
      ...(job.state === 'scheduled' ? [['scheduled', `${job.scheduledId} at ${time(job.deliverAt ?? null)}`]] : []),
      ['progress', json(job.progress)],
      ['result', json(job.result)],
      ['reason', job.reason],
    ],
  );
}

/** A JSON value on one line; null (shown empty) when there is none. */
function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
