/** A member as the assignor sees it: who it is and which topics it subscribes to. */
export interface AssignorMember {
  memberId: string;
  topics: string[];
}

/** `topic:partition`, the key of every assignment map. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/**
 * Server-side assignment for classic consumer groups: every partition of every subscribed
 * topic goes to exactly one member subscribed to that topic; per topic the members' counts
 * differ by at most one (balanced); and as few partitions as possible change owner (sticky).
 *
 * Per topic, the members already holding the most keep the larger quotas, each keeps up to
 * its quota of what it holds, and the rest is dealt to those below quota — which moves only
 * what balance forces to move.
 */
export function assignSticky(
  members: AssignorMember[],
  partitionCounts: Map<string, number>,
  current: Map<string, string>,
): Map<string, string> {
  const target = new Map<string, string>();
  const ordered = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => a.localeCompare(b))) {
    const subscribers = ordered.filter((m) => m.topics.includes(topic)).map((m) => m.memberId);
    if (subscribers.length === 0 || count === 0) continue;
    const held = new Map<string, number[]>(subscribers.map((id) => [id, []]));
    for (let partition = 0; partition < count; partition++) {
      const owner = current.get(partitionKey(topic, partition));
      if (owner !== undefined) held.get(owner)?.push(partition);
    }
    const base = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    const byHolding = [...subscribers].sort((a, b) => held.get(b)!.length - held.get(a)!.length || a.localeCompare(b));
    const quota = new Map(byHolding.map((id, i) => [id, base + (i < extra ? 1 : 0)]));
    const taken = new Set<number>();
    for (const id of subscribers) {
      for (const partition of held.get(id)!.slice(0, quota.get(id))) {
        target.set(partitionKey(topic, partition), id);
        taken.add(partition);
      }
    }
    let next = 0;
    for (const id of subscribers) {
      let have = Math.min(held.get(id)!.length, quota.get(id)!);
      while (have < quota.get(id)!) {
        while (taken.has(next)) next++;
        target.set(partitionKey(topic, next), id);
        taken.add(next);
        have++;
      }
    }
  }
  return target;
}
