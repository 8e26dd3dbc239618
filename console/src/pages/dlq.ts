import { api, enc } from '../api.js';
import { h, recordKey, recordValue, table, time } from '../dom.js';
import type { WireRecord } from '@shoal/protocol';
import type { ShareGroupDescription as ShareGroup } from '@shoal/protocol';

const COLUMNS = ['topic', 'partition', 'offset', 'group', 'reason', 'delivery-count', 'error'];

/** Dead-letter topics: those the share groups name, and any topic asked for by name. */
export async function dlqListPage(): Promise<HTMLElement> {
  const { groups } = await api<{ groups: { name: string }[] }>('GET', '/v1/share-groups?limit=1000');
  const topics = new Set<string>();
  for (const g of groups) {
    const { config } = await api<ShareGroup>('GET', `/v1/share-groups/${enc(g.name)}`);
    if (config.deadLetterTopic) topics.add(config.deadLetterTopic);
  }
  return h(
    'section',
    {},
    h('h1', {}, 'Dead-letter topics'),
    table(
      'dlq-topics',
      ['topic'],
      [...topics].sort().map((t) => [h('a', { href: `#/dlq/${enc(t)}` }, t)]),
    ),
  );
}

/** One dead-letter topic: records with their `shoal.dlq.*` headers as columns, and redrive. */
export async function dlqPage(topic: string): Promise<HTMLElement> {
  const { partitions } = await api<{ partitions: { partition: number; startOffset: number }[] }>(
    'GET',
    `/v1/topics/${enc(topic)}`,
  );
  const records: WireRecord[] = [];
  for (const p of partitions) {
    const answer = await api<{ records: WireRecord[] }>(
      'GET',
      `/v1/topics/${enc(topic)}/partitions/${p.partition}/records?offset=${p.startOffset}&maxRecords=200`,
    );
    records.push(...answer.records);
  }
  const boxes = records.map(
    (r) => h('input', { type: 'checkbox', 'data-partition': r.partition, 'data-offset': r.offset }) as HTMLInputElement,
  );
  const result = h('p', { 'data-testid': 'redrive-result' });
  const redrive = async (selected: HTMLInputElement[] | null) => {
    const requests =
      selected === null
        ? [{}]
        : selected.map((b) => ({
            partition: Number(b.dataset.partition),
            offset: Number(b.dataset.offset),
            lastOffset: Number(b.dataset.offset),
          }));
    if (
      requests.length === 0 ||
      !confirm(
        `Redrive ${selected === null ? 'every record' : `${requests.length} records`} of ${topic} to their source topics?`,
      )
    )
      return;
    const totals = { redriven: 0, alreadyRedriven: 0, skipped: 0 };
    for (const body of requests) {
      const answer = await api<typeof totals>('POST', `/v1/topics/${enc(topic)}/redrive`, body);
      totals.redriven += answer.redriven;
      totals.alreadyRedriven += answer.alreadyRedriven;
      totals.skipped += answer.skipped;
    }
    result.textContent = `redriven ${totals.redriven}, redriven before ${totals.alreadyRedriven}, without a source topic ${totals.skipped}`;
  };
  return h(
    'section',
    {},
    h('h1', {}, `Dead letters: ${topic}`),
    table(
      'dlq-records',
      ['', 'offset', 'timestamp', 'key', 'value', ...COLUMNS.map((c) => `dlq ${c}`)],
      records.map((r, i) => [
        boxes[i],
        `${r.partition}/${r.offset}`,
        time(r.timestamp),
        recordKey(r),
        recordValue(r),
        ...COLUMNS.map((c) => r.headers[`shoal.dlq.${c}`] ?? '-'),
      ]),
    ),
    h(
      'button',
      { 'data-testid': 'redrive-selected', onclick: () => void redrive(boxes.filter((b) => b.checked)) },
      'Redrive selected',
    ),
    ' ',
    h('button', { 'data-testid': 'redrive-all', onclick: () => void redrive(null) }, 'Redrive all'),
    result,
  );
}
