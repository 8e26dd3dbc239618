#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { backupCommand } from './commands/backup.command.js';
import { dlqCommand } from './commands/dlq.command.js';
import { groupsCommand, shareGroupsCommand } from './commands/groups.command.js';
import { jobsCommand } from './commands/jobs.command.js';
import { consumeCommand, produceCommand } from './commands/records.command.js';
import { schedulesCommand } from './commands/schedules.command.js';
import { aclsCommand, apiKeysCommand } from './commands/security.command.js';
import { topicsCommand } from './commands/topics.command.js';
import { EXIT } from './context.js';

/** The `shoal` command line: operator tools over the broker's HTTP API. */
export function program(): Command {
  const root = new Command('shoal')
    .description(
      'Shoal operator tools: topics, records, consumer and share groups, dead letters, schedules, API keys and ACLs, backups',
    )
    .addOption(new Option('--url <url>', 'the broker').env('SHOAL_URL').default('http://localhost:8080'))
    .addOption(new Option('--api-key <key>', 'sent as Authorization: Bearer <key>').env('SHOAL_API_KEY'))
    .option('--json', 'JSON for scripts instead of tables')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [
    topicsCommand(),
    produceCommand(),
    consumeCommand(),
    groupsCommand(),
    shareGroupsCommand(),
    jobsCommand(),
    dlqCommand(),
    schedulesCommand(),
    apiKeysCommand(),
    aclsCommand(),
    backupCommand(),
  ])
    root.addCommand(exitOverrideAll(command));
  return root;
}

/** Commander's usage errors throw instead of exiting, in subcommands too, so they end with {@link EXIT.usage}. */
function exitOverrideAll(command: Command): Command {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideAll(sub);
  return command;
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // --help and --version end here with code 0; a usage error has been printed already.
  process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
}
