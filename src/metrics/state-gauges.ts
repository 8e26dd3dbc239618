import type { Gauge } from 'prom-client';
import type { ConsumerPositionRow, PartitionOffsetsRow, ShareWindowRow } from './storage/metrics.store.js';
import type { Catalogue } from './metrics.catalogue.js';

/** What one scrape reads from the database. */
export interface StoredState {
  partitions: PartitionOffsetsRow[];
  consumerPositions: ConsumerPositionRow[];
  consumerMembers: { group: string; members: number; protocol?: string }[];
  shareMembers: { group: string; members: number }[];
  shareWindows: ShareWindowRow[];
}

type Labels = Record<string, string>;
type Fold = 'sum' | 'max';

/**
 * Sets a partition-labelled gauge, or with partition detail off folds partitions into one
 * series per topic (offsets and counts summed, ages maxed), so a wide topic adds a handful of
 * series instead of several per partition.
 */
class PartitionSeries {
  private readonly folded = new Map<Gauge<string>, Map<string, { labels: Labels; value: number }>>();

  constructor(private readonly detail: boolean) {}

  set(gauge: Gauge<string>, labels: Labels & { partition: string }, value: number, fold: Fold = 'sum'): void {
    if (this.detail) return gauge.set(labels, value);
    const topicLabels: Labels = Object.fromEntries(Object.entries(labels).filter(([name]) => name !== 'partition'));
    const key = JSON.stringify(topicLabels);
    let series = this.folded.get(gauge);
    if (!series) this.folded.set(gauge, (series = new Map()));
    const seen = series.get(key);
    if (!seen) series.set(key, { labels: topicLabels, value });
    else seen.value = fold === 'sum' ? seen.value + value : Math.max(seen.value, value);
  }

  flush(): void {
    for (const [gauge, series] of this.folded)
      for (const { labels, value } of series.values()) gauge.set(labels, value);
  }
}

const ageSeconds = (now: number, timestamp: number | null) =>
  timestamp === null ? 0 : Math.max(0, now - timestamp) / 1000;

/** Sets every state gauge from what the scrape read; `now` is the broker clock's time (ms). */
export function setStateGauges(m: Catalogue, state: StoredState, options: { detail: boolean; now: number }): void {
  const series = new PartitionSeries(options.detail);
  setLogGauges(m, state.partitions, series);
  setConsumerGauges(m, state, series, options.now);
  setShareGauges(m, state, series, options.now);
  series.flush();
}

function setLogGauges(m: Catalogue, partitions: PartitionOffsetsRow[], series: PartitionSeries): void {
  const partitionCounts = new Map<string, number>();
  for (const p of partitions) {
    const labels = { topic: p.topic, partition: String(p.partition) };
    series.set(m.logStartOffset, labels, p.startOffset);
    series.set(m.logEndOffset, labels, p.endOffset);
    series.set(m.kafkaOldestOffset, labels, p.startOffset);
    series.set(m.kafkaCurrentOffset, labels, p.endOffset);
    partitionCounts.set(p.topic, (partitionCounts.get(p.topic) ?? 0) + 1);
  }
  for (const [topic, count] of partitionCounts) m.kafkaTopicPartitions.set({ topic }, count);
}

function setConsumerGauges(m: Catalogue, state: StoredState, series: PartitionSeries, now: number): void {
  const maxAge = new Map<string, number>();
  for (const c of state.consumerPositions) {
    const lag = Math.max(0, c.endOffset - (c.committedOffset ?? c.nextOffset));
    const age = c.nextOffset < c.endOffset ? ageSeconds(now, c.nextTimestamp) : 0;
    const labels = { group: c.group, topic: c.topic, partition: String(c.partition) };
    const kafka = { consumergroup: c.group, topic: c.topic, partition: String(c.partition) };
    series.set(m.consumerLag, labels, lag);
    series.set(m.kafkaGroupLag, kafka, lag);
    series.set(m.consumerLagSeconds, labels, age, 'max');
    m.kafkaGroupLagSum.inc({ consumergroup: c.group, topic: c.topic }, lag);
    maxAge.set(c.group, Math.max(maxAge.get(c.group) ?? 0, age));
    if (c.committedOffset === null) continue;
    series.set(m.committedOffset, labels, c.committedOffset);
    series.set(m.kafkaGroupOffset, kafka, c.committedOffset);
    m.kafkaGroupOffsetSum.inc({ consumergroup: c.group, topic: c.topic }, c.committedOffset);
  }
  for (const [group, age] of maxAge) m.consumerMaxLagSeconds.set({ group }, age);
  for (const { group, members, protocol } of state.consumerMembers) {
    m.groupMembers.set({ group, kind: 'consumer' }, members);
    m.kafkaGroupMembers.set({ consumergroup: group }, members);
    if (protocol) m.consumerGroupProtocol.set({ group, protocol }, 1);
  }
}

function setShareGauges(m: Catalogue, state: StoredState, series: PartitionSeries, now: number): void {
  const maxAge = new Map<string, number>();
  for (const w of state.shareWindows) {
    const labels = { group: w.group, topic: w.topic, partition: String(w.partition) };
    const start = Math.max(w.startOffset, w.logStartOffset);
    const age = start < w.logEndOffset ? ageSeconds(now, w.startTimestamp) : 0;
    series.set(m.shareStartOffset, labels, start);
    series.set(m.shareInFlight, { ...labels, state: 'available' }, w.available);
    series.set(m.shareInFlight, { ...labels, state: 'acquired' }, w.acquired);
    series.set(m.shareLag, labels, Math.max(0, w.logEndOffset - start - w.final));
    series.set(m.shareLagSeconds, labels, age, 'max');
    maxAge.set(w.group, Math.max(maxAge.get(w.group) ?? 0, age));
  }
  for (const [group, age] of maxAge) m.shareMaxLagSeconds.set({ group }, age);
  for (const { group, members } of state.shareMembers) m.groupMembers.set({ group, kind: 'share' }, members);
}
