/**
 * Kafka's simple assignor for share groups, per topic among the members subscribed to it
 * (sorted by id): with no more members than partitions, partitions are dealt round-robin so
 * each has exactly one member and counts differ by at most one; with more members, member i
 * gets partition i mod P, so each partition is shared by ⌊M/P⌋ or ⌈M/P⌉ members and every
 * member has work. Assignment only says where a member may fetch: records are exclusive
 * through their locks, so a change needs no hand-over.
 */
export function assignShared(
  members: { memberId: string; topics: string[] }[],
  partitionCounts: Map<string, number>,
): Map<string, { topic: string; partition: number }[]> {
  const assignment = new Map(members.map((m) => [m.memberId, [] as { topic: string; partition: number }[]]));
  const ordered = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
  for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => a.localeCompare(b))) {
    const subscribers = ordered.filter((m) => m.topics.includes(topic));
    if (subscribers.length === 0 || count === 0) continue;
    if (subscribers.length <= count) {
      for (let partition = 0; partition < count; partition++)
        assignment.get(subscribers[partition % subscribers.length].memberId)!.push({ topic, partition });
    } else {
      subscribers.forEach((m, i) => assignment.get(m.memberId)!.push({ topic, partition: i % count }));
    }
  }
  for (const list of assignment.values())
    list.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return assignment;
}
