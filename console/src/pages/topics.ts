import { api, enc } from '../api.js';
import { formValues, h, lineChart, link, table } from '../dom.js';
import { produceRate } from '../history.js';
import type { TopicDescription } from '@shoal/protocol';

export async function topicsPage(): Promise<HTMLElement> {
  const { topics } = await api<{ topics: { name: string; partitions: number }[] }>('GET', '/v1/topics');
  const described = await Promise.all(topics.map((t) => api<TopicDescription>('GET', `/v1/topics/${enc(t.name)}`)));
  const create = h(
    'form',
    { class: 'inline', 'data-testid': 'create-topic' },
    h('input', { name: 'name', placeholder: 'topic name', required: true }),
    h('input', { name: 'partitions', type: 'number', min: 1, value: 1 }),
    h('input', { name: 'retentionMs', type: 'number', min: 1, placeholder: 'retention ms (optional)' }),
    h('button', {}, 'Create topic'),
  ) as HTMLFormElement;
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(create);
    const config = v.retentionMs ? { retentionMs: Number(v.retentionMs) } : undefined;
    await api('POST', '/v1/topics', { name: v.name, partitions: Number(v.partitions), config });
    location.hash = `#/topics/${enc(v.name)}`;
  });
  const rows = described.map((t) => {
    const rate = produceRate(t.name);
    return [
      link(`#/topics/${enc(t.name)}`, t.name),
      t.partitions.length,
      t.partitions.reduce((n, p) => n + p.endOffset - p.startOffset, 0),
      t.config.retentionMs ?? 'forever',
      rate.length ? Number(rate[rate.length - 1][1].toFixed(1)) : 0,
    ];
  });
  const busiest = [...described].sort((a, b) => sum(produceRate(b.name)) - sum(produceRate(a.name)))[0];
  return h(
    'section',
    {},
    h('h1', {}, 'Topics'),
    table('topics', ['topic', 'partitions', 'records', 'retention ms', 'records/s'], rows),
    busiest
      ? lineChart('produce-chart', `produce rate of ${busiest.name}`, produceRate(busiest.name), 'records/s')
      : null,
    create,
  );
}

function sum(points: [number, number][]): number {
  return points.reduce((n, [, v]) => n + v, 0);
}

export async function topicPage(name: string): Promise<HTMLElement> {
  const topic = await api<TopicDescription>('GET', `/v1/topics/${enc(name)}`);
  const grow = h(
    'form',
    { class: 'inline', 'data-testid': 'alter-topic' },
    h('label', {}, 'partitions ', h('input', { name: 'partitions', type: 'number', value: topic.partitions.length })),
    h(
      'label',
      {},
      'retention ms ',
      h('input', { name: 'retentionMs', type: 'number', value: topic.config.retentionMs ?? '' }),
    ),
    h('button', {}, 'Save'),
  ) as HTMLFormElement;
  grow.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(grow);
    await api('PATCH', `/v1/topics/${enc(name)}`, {
      partitions: Number(v.partitions),
      config: { retentionMs: v.retentionMs ? Number(v.retentionMs) : null },
    });
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
  const remove = h('button', { 'data-testid': 'delete-topic' }, 'Delete topic');
  remove.addEventListener('click', async () => {
    if (!confirm(`Delete topic ${name} and all its records?`)) return;
    await api('DELETE', `/v1/topics/${enc(name)}`);
    location.hash = '#/topics';
  });
  return h(
    'section',
    {},
    h('h1', {}, `Topic ${name}`),
    h(
      'p',
      { class: 'note' },
      `retention: ${topic.config.retentionMs ?? 'forever'} ms, ${topic.config.retentionBytes ?? 'unlimited'} bytes`,
    ),
    table(
      'partitions',
      ['partition', 'start offset', 'end offset', 'records', ''],
      topic.partitions.map((p) => [
        p.partition,
        p.startOffset,
        p.endOffset,
        p.endOffset - p.startOffset,
        link(`#/records/${enc(name)}/${p.partition}/${p.startOffset}`, 'browse'),
      ]),
    ),
    lineChart('produce-chart', 'produce rate', produceRate(name), 'records/s'),
    grow,
    remove,
  );
}
