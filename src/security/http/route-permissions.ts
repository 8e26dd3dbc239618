import { type Permission, Operation, ResourceType } from '../domain/acl.js';

/** What the guard sees of a request. */
export interface RouteRequest {
  params: Record<string, string | undefined>;
  body: unknown;
}

/** What a route needs: ACL permissions, and the member id it acts as (whose owner must be the caller). */
export interface RouteRule {
  /** No key needed at all. */
  public?: boolean;
  permissions(request: RouteRequest): Permission[];
  member?(request: RouteRequest): string | undefined;
}

const topic = (name: unknown, operation: Operation): Permission[] =>
  typeof name === 'string' ? [{ resourceType: ResourceType.Topic, name, operation }] : [];
const group = (name: unknown, operation: Operation): Permission[] =>
  typeof name === 'string' ? [{ resourceType: ResourceType.Group, name, operation }] : [];
const clusterAdmin: Permission[] = [{ resourceType: ResourceType.Cluster, name: 'shoal', operation: Operation.Admin }];

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** Read on every topic a join subscribes to (a malformed list is the validation's to refuse). */
function readTopics(body: unknown): Permission[] {
  const topics = field(body, 'topics');
  return Array.isArray(topics) ? topics.flatMap((t) => topic(t, Operation.Read)) : [];
}

function readCommitted(body: unknown): Permission[] {
  const offsets = field(body, 'offsets');
  return Array.isArray(offsets) ? offsets.flatMap((o) => topic(field(o, 'topic'), Operation.Read)) : [];
}

/** Produce on every topic a request's `produce` lists name (its own, and its acks'): exactly-once chaining (issue 26). */
function produceTopics(body: unknown): Permission[] {
  const names = new Set<unknown>();
  const add = (list: unknown) => {
    if (Array.isArray(list)) for (const batch of list) names.add(field(batch, 'topic'));
  };
  add(field(body, 'produce'));
  const acks = field(body, 'acks');
  if (Array.isArray(acks)) for (const ack of acks) add(field(ack, 'produce'));
  return [...names].flatMap((name) => topic(name, Operation.Produce));
}

const join: RouteRule = { permissions: (r) => [...group(r.params.group, Operation.Consume), ...readTopics(r.body)] };
const asMember: RouteRule = {
  permissions: (r) => group(r.params.group, Operation.Consume),
  member: (r) => r.params.memberId,
};
/** A member's acks (or fetch with acks), which may produce. */
const asProducingMember: RouteRule = {
  permissions: (r) => [...group(r.params.group, Operation.Consume), ...produceTopics(r.body)],
  member: (r) => r.params.memberId,
};
const groupAdmin: RouteRule = { permissions: (r) => group(r.params.group, Operation.Admin) };
const groupConsume: RouteRule = { permissions: (r) => group(r.params.group, Operation.Consume) };
const admin: RouteRule = { permissions: () => clusterAdmin };

/**
 * Every route and what it needs, keyed by `METHOD route-template`. A route missing here
 * (added later) needs cluster admin: refused by default, never open by default.
 */
export const ROUTE_RULES: Record<string, RouteRule> = {
  'GET /health': { public: true, permissions: () => [] },
  'GET /metrics': {
    permissions: () => [{ resourceType: ResourceType.Cluster, name: 'shoal', operation: Operation.Read }],
  },
  'POST /v1/topics': { permissions: (r) => topic(field(r.body, 'name'), Operation.Admin) },
  'GET /v1/topics': { permissions: () => [] },
  'GET /v1/topics/:topic': { permissions: (r) => topic(r.params.topic, Operation.Read) },
  'PATCH /v1/topics/:topic': { permissions: (r) => topic(r.params.topic, Operation.Admin) },
  'DELETE /v1/topics/:topic': { permissions: (r) => topic(r.params.topic, Operation.Admin) },
  'POST /v1/topics/:topic/records': { permissions: (r) => topic(r.params.topic, Operation.Produce) },
  'GET /v1/topics/:topic/partitions/:partition/records': { permissions: (r) => topic(r.params.topic, Operation.Read) },
  'GET /v1/topics/:topic/partitions/:partition/offsets': { permissions: (r) => topic(r.params.topic, Operation.Read) },
  'POST /v1/consumer-groups/:group/members': join,
  'POST /v1/consumer-groups/:group/members/:memberId/heartbeat': asMember,
  'POST /v1/consumer-groups/:group/members/:memberId/fetch': asMember,
  'DELETE /v1/consumer-groups/:group/members/:memberId': asMember,
  'POST /v1/consumer-groups/:group/offsets': {
    permissions: (r) => [
      ...group(r.params.group, Operation.Consume),
      ...readCommitted(r.body),
      ...produceTopics(r.body),
    ],
    member: (r) => {
      const memberId = field(r.body, 'memberId');
      return typeof memberId === 'string' ? memberId : undefined;
    },
  },
  'POST /v1/consumer-groups/:group/offsets/reset': groupAdmin,
  'GET /v1/consumer-groups/:group': groupConsume,
  'DELETE /v1/consumer-groups/:group': groupAdmin,
  'POST /v1/share-groups/:group/members': join,
  'POST /v1/share-groups/:group/members/:memberId/heartbeat': asMember,
  'POST /v1/share-groups/:group/members/:memberId/fetch': asProducingMember,
  'POST /v1/share-groups/:group/members/:memberId/acks': asProducingMember,
  'POST /v1/share-groups/:group/members/:memberId/progress': asMember,
  'DELETE /v1/share-groups/:group/members/:memberId': asMember,
  'GET /v1/share-groups/:group': groupConsume,
  // Operator routes: group lists show names and totals, as the topic list does; the in-flight
  // view is a describe of one share-partition; redrive reads a dead-letter topic and appends
  // to the topics its records name, so it needs admin on the dead-letter topic.
  'GET /v1/consumer-groups': { permissions: () => [] },
  'GET /v1/share-groups': { permissions: () => [] },
  'GET /v1/share-groups/:group/topics/:topic/partitions/:partition/in-flight': {
    permissions: (r) => [...group(r.params.group, Operation.Consume), ...topic(r.params.topic, Operation.Read)],
  },
  // One job's state: a describe of one record of the share-partition, as the in-flight view.
  'GET /v1/share-groups/:group/topics/:topic/partitions/:partition/records/:offset': {
    permissions: (r) => [...group(r.params.group, Operation.Consume), ...topic(r.params.topic, Operation.Read)],
  },
  'GET /v1/share-groups/:group/topics/:topic/idempotency-keys/:key': {
    permissions: (r) => [...group(r.params.group, Operation.Consume), ...topic(r.params.topic, Operation.Read)],
  },
  'POST /v1/topics/:topic/redrive': { permissions: (r) => topic(r.params.topic, Operation.Admin) },
  // Scheduled records wait to be appended: listing them is a read, cancelling one undoes a produce.
  // Repeating schedules (/v1/schedules) stay with cluster admins.
  'GET /v1/topics/:topic/scheduled-records': { permissions: (r) => topic(r.params.topic, Operation.Read) },
  'DELETE /v1/topics/:topic/scheduled-records/:id': { permissions: (r) => topic(r.params.topic, Operation.Produce) },
  'PATCH /v1/share-groups/:group/config': {
    // Naming a dead-letter topic lets the group's members write to it: produce on it is needed.
    permissions: (r) => [
      ...group(r.params.group, Operation.Admin),
      ...topic(field(r.body, 'deadLetterTopic'), Operation.Produce),
    ],
  },
  'POST /v1/share-groups/:group/offsets/reset': groupAdmin,
  'DELETE /v1/share-groups/:group': groupAdmin,
  'POST /v1/admin/backup': admin,
  'POST /v1/api-keys': admin,
  'GET /v1/api-keys': admin,
  'DELETE /v1/api-keys/:id': admin,
  'POST /v1/acls': admin,
  'GET /v1/acls': admin,
  'DELETE /v1/acls/:id': admin,
};

/** Join routes: their answer's `memberId` is recorded as the caller's. */
export const JOIN_ROUTES = new Set(['POST /v1/consumer-groups/:group/members', 'POST /v1/share-groups/:group/members']);

export function ruleFor(key: string): RouteRule {
  return ROUTE_RULES[key] ?? admin;
}
