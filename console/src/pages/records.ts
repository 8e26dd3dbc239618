import { api, enc } from '../api.js';
import { formValues, h, recordHeaders, recordKey, recordValue, table, time } from '../dom.js';
import type { ReadResponse } from '@shoal/protocol';

/** The record browser: a topic's partition from an offset or a timestamp. */
export async function recordsPage(
  topic = '',
  partition = 0,
  offset?: number,
  timestamp?: number,
): Promise<HTMLElement> {
  const form = h(
    'form',
    { class: 'inline', 'data-testid': 'browse' },
    h('input', { name: 'topic', placeholder: 'topic', value: topic, required: true }),
    h('label', {}, 'partition ', h('input', { name: 'partition', type: 'number', min: 0, value: partition })),
    h('label', {}, 'offset ', h('input', { name: 'offset', type: 'number', min: 0, value: offset ?? '' })),
    h('label', {}, 'or time ', h('input', { name: 'timestamp', placeholder: '2026-12-01T10:00:00Z or ms', value: '' })),
    h('button', {}, 'Show'),
  ) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const v = formValues(form);
    const at = v.timestamp ? `t${/^\d+$/.test(v.timestamp) ? v.timestamp : Date.parse(v.timestamp)}` : v.offset || '0';
    location.hash = `#/records/${enc(v.topic)}/${v.partition}/${at}`;
  });
  const section = h('section', {}, h('h1', {}, 'Records'), form);
  if (!topic) return section;
  let from = offset ?? 0;
  if (timestamp !== undefined) {
    const found = await api<{ offset: number }>(
      'GET',
      `/v1/topics/${enc(topic)}/partitions/${partition}/offsets?timestamp=${timestamp}`,
    );
    from = found.offset;
  }
  const answer = await api<ReadResponse>(
    'GET',
    `/v1/topics/${enc(topic)}/partitions/${partition}/records?offset=${from}&maxRecords=50`,
  );
  section.append(
    h(
      'p',
      { class: 'note' },
      `${topic}/${partition}: offsets ${answer.startOffset}–${answer.endOffset}, showing from ${from}`,
    ),
    table(
      'records',
      ['offset', 'timestamp', 'key', 'value', 'headers'],
      answer.records.map((r) => [r.offset, time(r.timestamp), recordKey(r), recordValue(r), recordHeaders(r)]),
    ),
  );
  if (answer.nextOffset < answer.endOffset)
    section.append(h('a', { href: `#/records/${enc(topic)}/${partition}/${answer.nextOffset}` }, 'next page'));
  return section;
}
