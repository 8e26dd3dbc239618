import type { ShareGroupConfigView } from '@shoal/protocol';
import { DEFAULT_LOWER_PRIORITY_SHARE, bucketCapacity } from './domain/share-flow.js';
import type { Sql } from '../storage/database.js';
import { type ShareFlowRow, shareGroupFlowStore } from './storage/share-group-flow.store.js';

/** The flow fields of a share group's config (`topicPriority`, `lowerPriorityShare`, `maxRecordsPerSecond`). */
export type FlowConfigChange = Pick<
  ShareGroupConfigView,
  'topicPriority' | 'lowerPriorityShare' | 'maxRecordsPerSecond'
>;

const FLOW_FIELDS = ['topicPriority', 'lowerPriorityShare', 'maxRecordsPerSecond'] as const;

/** Splits a config change into the group row's fields and the flow fields. */
export function splitFlowChange(change: Partial<ShareGroupConfigView>): {
  base: Partial<ShareGroupConfigView>;
  flow: FlowConfigChange | null;
} {
  const base = { ...change };
  const flow: FlowConfigChange = {};
  let any = false;
  for (const field of FLOW_FIELDS) {
    if (base[field] === undefined) continue;
    (flow as Record<string, unknown>)[field] = base[field];
    delete base[field];
    any = true;
  }
  return { base, flow: any ? flow : null };
}

/** Applies a flow change (a new rate starts with a full bucket); answers the flow view, or {} when none is set. */
export async function applyFlowChange(
  sql: Sql,
  groupId: number,
  change: FlowConfigChange | null,
  now: number,
): Promise<FlowConfigChange> {
  const current = await shareGroupFlowStore.find(sql, groupId, true);
  if (change === null) return current ? flowView(current) : {};
  const rate =
    change.maxRecordsPerSecond === undefined ? (current?.maxRecordsPerSecond ?? null) : change.maxRecordsPerSecond;
  const row: ShareFlowRow = {
    topicPriority: change.topicPriority === undefined ? (current?.topicPriority ?? null) : change.topicPriority,
    lowerPriorityShare: change.lowerPriorityShare ?? current?.lowerPriorityShare ?? DEFAULT_LOWER_PRIORITY_SHARE,
    maxRecordsPerSecond: rate,
    tokens: current && current.maxRecordsPerSecond === rate ? current.tokens : rate === null ? 0 : bucketCapacity(rate),
    refilledAt: current && current.maxRecordsPerSecond === rate ? current.refilledAt : now,
  };
  await shareGroupFlowStore.save(sql, groupId, row);
  return flowView(row);
}

/** The flow fields as the config shows them (only for a group that set any). */
export async function flowConfig(sql: Sql, groupId: number): Promise<FlowConfigChange> {
  const row = await shareGroupFlowStore.find(sql, groupId);
  return row ? flowView(row) : {};
}

function flowView(row: ShareFlowRow): FlowConfigChange {
  return {
    topicPriority: row.topicPriority,
    lowerPriorityShare: row.lowerPriorityShare,
    maxRecordsPerSecond: row.maxRecordsPerSecond,
  };
}
