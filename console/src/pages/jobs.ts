import { api, enc } from '../api.js';
import { formValues, h, link, table, time } from '../dom.js';
import type { JobView } from '@shoal/protocol';

/** The job page's address: by offset, or by the idempotency key it was produced with. */
export function jobHref(group: string, topic: string, job: { partition: number; offset: number } | { key: string }) {
  const base = `#/jobs/${enc(group)}/${enc(topic)}`;
  return 'key' in job ? `${base}/key/${enc(job.key)}` : `${base}/${job.partition}/${job.offset}`;
}

/**
 * One job of a share group: its state and outcome, deliveries, holder, lock, the progress its
 * handler reported, its result and its last reason. `at`: `[partition, offset]` or `['key', key]`.
 */
export async function jobPage(group: string, topic: string, at: [string, string]): Promise<HTMLElement> {
  const path =
    at[0] === 'key'
      ? `/v1/share-groups/${enc(group)}/topics/${enc(topic)}/idempotency-keys/${enc(at[1])}`
      : `/v1/share-groups/${enc(group)}/topics/${enc(topic)}/partitions/${Number(at[0])}/records/${Number(at[1])}`;
  const job = await api<JobView>('GET', path);
  const json = (value: unknown) => (value === null || value === undefined ? '-' : JSON.stringify(value));
  return h(
    'section',
    {},
    h('h1', {}, `Job ${job.topic}/${job.partition}@${job.offset} in `, link(`#/share-groups/${enc(group)}`, group)),
    table(
      'job',
      ['field', 'value'],
      [
        ['state', h('span', { class: `state-${job.state}`, 'data-testid': 'job-state' }, job.state)],
        ['outcome', job.outcome ?? '-'],
        ['deliveries', job.deliveryCount],
        ['holder', job.memberId ?? '-'],
        ['lock expires', time(job.lockExpiresAt)],
        ['available at', time(job.availableAt)],
        ...(job.state === 'scheduled' ? [['scheduled', `${job.scheduledId} at ${time(job.deliverAt)}`]] : []),
        ['progress', h('code', { 'data-testid': 'job-progress' }, json(job.progress))],
        ['result', h('code', { 'data-testid': 'job-result' }, json(job.result))],
        ['reason', h('span', { 'data-testid': 'job-reason' }, job.reason ?? '-')],
      ],
    ),
    h('p', {}, h('button', { onclick: () => window.dispatchEvent(new HashChangeEvent('hashchange')) }, 'Refresh')),
    jobSearch(group, [topic]),
  );
}

/**
 * A search box for one job of the group: a topic, a partition, and an offset or the
 * idempotency key it was produced with (anything not all digits is taken as a key).
 */
export function jobSearch(group: string, topics: string[]): HTMLElement {
  const form = h(
    'form',
    { class: 'inline', 'data-testid': 'job-search' },
    h('label', {}, 'topic ', h('select', { name: 'topic' }, ...topics.map((t) => h('option', { value: t }, t)))),
    h('label', {}, 'partition ', h('input', { name: 'partition', value: '0', size: 4 })),
    h('label', {}, 'offset or idempotency key ', h('input', { name: 'job', required: true })),
    h('button', {}, 'Find job'),
  ) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const v = formValues(form);
    const job = v.job.trim();
    location.hash = /^\d+$/.test(job)
      ? jobHref(group, v.topic, { partition: Number(v.partition) || 0, offset: Number(job) })
      : jobHref(group, v.topic, { key: job });
  });
  return h('div', {}, h('h2', {}, 'Find a job'), form);
}
