import { Command, Option } from 'commander';
import type { CreateAclRequest } from '@shoal/protocol';
import { action, integer } from '../context.js';
import { table, time } from '../table.js';

/** `shoal api-keys create|list|revoke`: keys belong to principals; the broker keeps only a hash. */
export function apiKeysCommand(): Command {
  const keys = new Command('api-keys').description('API keys (needs admin on the cluster)');
  keys
    .command('create')
    .description('create a key for a principal; the key is shown this once')
    .requiredOption('--principal <name>', 'who the key acts as')
    .option('--description <text>', 'a note for people')
    .action(
      action(async (cli, options: { principal: string; description?: string }) => {
        const created = await cli.client.createApiKey(options);
        cli.print(created, () => `key ${created.id} for ${created.principal} (shown only now):\n${created.key}`);
      }),
    );
  keys
    .command('list')
    .description('every key, revoked ones included (never the keys themselves)')
    .action(
      action(async (cli) => {
        const list = await cli.client.listApiKeys();
        cli.print(list, () =>
          table(
            ['ID', 'PRINCIPAL', 'CREATED', 'REVOKED', 'DESCRIPTION'],
            list.map((k) => [k.id, k.principal, time(k.createdAt), time(k.revokedAt), k.description]),
          ),
        );
      }),
    );
  keys
    .command('revoke <id>')
    .description('revoke a key, at once on every broker')
    .action(
      action(async (cli, id: string) => {
        await cli.client.revokeApiKey(id);
        cli.print({ revoked: id }, () => `revoked ${id}`);
      }),
    );
  return keys;
}

/** `shoal acls create|list|delete`: allow rules of (principal, resource, name or prefix, operation). */
export function aclsCommand(): Command {
  const acls = new Command('acls').description('allow rules (needs admin on the cluster)');
  acls
    .command('create')
    .description('allow a principal an operation on a topic, a group or the cluster')
    .requiredOption('--principal <name>', 'who the rule allows')
    .addOption(new Option('--resource-type <type>').choices(['topic', 'group', 'cluster']).makeOptionMandatory())
    .requiredOption('--name <name>', 'the resource name, or a prefix with --prefix')
    .option('--prefix', 'match every name starting with --name')
    .addOption(new Option('--operation <op>').choices(['produce', 'read', 'consume', 'admin']).makeOptionMandatory())
    .action(
      action(
        async (
          cli,
          options: { principal: string; resourceType: string; name: string; prefix?: boolean; operation: string },
        ) => {
          const rule = await cli.client.createAcl({
            principal: options.principal,
            resourceType: options.resourceType as CreateAclRequest['resourceType'],
            patternType: options.prefix ? 'prefix' : 'literal',
            resourceName: options.name,
            operation: options.operation as CreateAclRequest['operation'],
          });
          cli.print(rule, () => `rule ${rule.id}: ${describeRule(rule)}`);
        },
      ),
    );
  acls
    .command('list')
    .description('every allow rule')
    .action(
      action(async (cli) => {
        const list = await cli.client.listAcls();
        cli.print(list, () =>
          table(
            ['ID', 'PRINCIPAL', 'OPERATION', 'RESOURCE', 'NAME', 'PATTERN'],
            list.map((r) => [r.id, r.principal, r.operation, r.resourceType, r.resourceName, r.patternType]),
          ),
        );
      }),
    );
  acls
    .command('delete')
    .description('delete an allow rule')
    .argument('<id>', 'the rule id', integer('<id>'))
    .action(
      action(async (cli, id: number) => {
        await cli.client.deleteAcl(id);
        cli.print({ deleted: id }, () => `deleted rule ${id}`);
      }),
    );
  return acls;
}

function describeRule(rule: CreateAclRequest): string {
  const name = rule.patternType === 'prefix' ? `${rule.resourceName}*` : rule.resourceName;
  return `${rule.principal} may ${rule.operation} ${rule.resourceType} ${name}`;
}
