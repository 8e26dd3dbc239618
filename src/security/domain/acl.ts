/** What an ACL rule is about: Kafka's resource types, minus those Shoal has no use for. */
export enum ResourceType {
  Topic = 'topic',
  Group = 'group',
  Cluster = 'cluster',
}

/** How a rule's name matches: the whole name, or every name that starts with it. */
export enum PatternType {
  Literal = 'literal',
  Prefix = 'prefix',
}

/** What a rule allows. `admin` on a resource allows every operation on it; on the cluster, everything. */
export enum Operation {
  Produce = 'produce',
  Read = 'read',
  Consume = 'consume',
  Admin = 'admin',
}

/** An allow rule (there are no deny rules: what no rule allows is refused). */
export interface AclRule {
  principal: string;
  resourceType: ResourceType;
  patternType: PatternType;
  resourceName: string;
  operation: Operation;
}

/** One thing a request needs. */
export interface Permission {
  resourceType: ResourceType;
  name: string;
  operation: Operation;
}

/** The principal of `SHOAL_ADMIN_API_KEY`: allowed everything. */
export const ADMIN_PRINCIPAL = 'admin';

function nameMatches(rule: AclRule, name: string): boolean {
  if (rule.resourceType === ResourceType.Cluster) return true;
  if (rule.patternType === PatternType.Prefix) return name.startsWith(rule.resourceName);
  return rule.resourceName === '*' || rule.resourceName === name;
}

/** Whether `rules` (one principal's) allow `needed`. */
export function allows(rules: readonly AclRule[], needed: Permission): boolean {
  return rules.some((rule) => {
    if (rule.resourceType === ResourceType.Cluster && rule.operation === Operation.Admin) return true;
    if (rule.resourceType !== needed.resourceType || !nameMatches(rule, needed.name)) return false;
    return rule.operation === needed.operation || rule.operation === Operation.Admin;
  });
}

/** Whether `rules` make their principal a superuser (cluster admin). */
export function isSuperuser(principal: string, rules: readonly AclRule[]): boolean {
  return (
    principal === ADMIN_PRINCIPAL ||
    rules.some((r) => r.resourceType === ResourceType.Cluster && r.operation === Operation.Admin)
  );
}
