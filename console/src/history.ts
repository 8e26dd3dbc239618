import { api } from './api.js';
import type { GroupList, TopicList } from '@shoal/protocol';

/**
 * The last minutes of the broker's own counters, sampled by the console every 2 s: each
 * topic's end offsets (→ produce rate) and each group's total lag.
 */
const WINDOW_MS = 5 * 60_000;
const endOffsets = new Map<string, [number, number][]>();
const lags = new Map<string, [number, number][]>();

interface Described {
  partitions: { endOffset: number }[];
}

function push(series: Map<string, [number, number][]>, key: string, now: number, value: number): void {
  const points = series.get(key) ?? [];
  points.push([now, value]);
  while (points.length > 0 && points[0][0] < now - WINDOW_MS) points.shift();
  series.set(key, points);
}

export async function sample(): Promise<void> {
  const now = Date.now();
  const { topics } = await api<TopicList>('GET', '/v1/topics');
  for (const topic of topics.slice(0, 50)) {
    const described = await api<Described>('GET', `/v1/topics/${encodeURIComponent(topic.name)}`).catch(() => null);
    if (described)
      push(
        endOffsets,
        topic.name,
        now,
        described.partitions.reduce((n, p) => n + p.endOffset, 0),
      );
  }
  for (const kind of ['consumer', 'share']) {
    const list = await api<GroupList>('GET', `/v1/${kind}-groups?limit=100`);
    for (const group of list.groups) push(lags, `${kind}:${group.name}`, now, group.lag);
  }
}

/** Records per second between samples. */
export function produceRate(topic: string): [number, number][] {
  const points = endOffsets.get(topic) ?? [];
  const rates: [number, number][] = [];
  for (let i = 1; i < points.length; i++) {
    const seconds = (points[i][0] - points[i - 1][0]) / 1000;
    rates.push([points[i][0], seconds > 0 ? Math.max(0, points[i][1] - points[i - 1][1]) / seconds : 0]);
  }
  return rates;
}

export function lagOf(kind: 'consumer' | 'share', group: string): [number, number][] {
  return lags.get(`${kind}:${group}`) ?? [];
}
