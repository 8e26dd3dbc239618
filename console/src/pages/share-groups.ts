import { api, enc } from '../api.js';
import { formValues, h, lineChart, link, table, time } from '../dom.js';
import { lagOf } from '../history.js';
import { assignmentText } from './groups.js';
import { jobHref, jobSearch } from './jobs.js';
import type { InFlightRecordList as InFlight, ShareGroupDescription as ShareGroup } from '@shoal/protocol';

const NUMBER_SETTINGS = [
  'recordLockDurationMs',
  'deliveryCountLimit',
  'maxInFlightRecordsPerPartition',
  'resultRetentionMs',
];

/** One share group: members, share-partition windows, in-flight records, config edit. */
export async function shareGroupPage(name: string): Promise<HTMLElement> {
  const group = await api<ShareGroup>('GET', `/v1/share-groups/${enc(name)}`);
  // A partition not started yet (no member fetched it) has nothing in flight.
  const started = group.partitions.filter((p) => p.opened !== false);
  const inFlight = await Promise.all(
    started.map((p) =>
      api<InFlight>('GET', `/v1/share-groups/${enc(name)}/topics/${enc(p.topic)}/partitions/${p.partition}/in-flight`),
    ),
  );
  const totalLag = group.partitions.reduce((n, p) => n + p.lag, 0);
  const section = h(
    'section',
    {},
    h('h1', {}, `Share group ${name}`),
    h('h2', {}, 'Members'),
    table(
      'members',
      ['member', 'partitions'],
      group.members.map((m) => [m.memberId, assignmentText(m.assignment)]),
    ),
    h('h2', {}, 'Share-partitions'),
    table(
      'share-partitions',
      [
        'topic',
        'partition',
        'start offset',
        'end offset',
        'available',
        'acquired',
        'acknowledged',
        'archived',
        'lag',
        'started',
      ],
      group.partitions.map((p) => [
        p.topic,
        p.partition,
        p.startOffset,
        p.endOffset,
        p.available,
        p.acquired,
        p.acknowledged,
        p.archived,
        p.lag,
        // Not started: shown at the group's reset point, as a fetch would start it now.
        p.opened === false ? 'not yet' : 'yes',
      ]),
    ),
    h(
      'p',
      { 'data-testid': 'share-total-lag' },
      `Total lag: ${totalLag} records, over every partition of the group's topics, started or not.`,
    ),
    lineChart('lag-chart', 'total lag', lagOf('share', name), 'records'),
  );
  started.forEach((p, i) => {
    section.append(
      h('h2', {}, `In flight: ${p.topic}/${p.partition}`),
      table(
        `in-flight-${p.topic}-${p.partition}`,
        ['offset', 'state', 'holder', 'delivery count', 'lock expires', 'available at'],
        inFlight[i].records.map((r) => [
          link(jobHref(name, p.topic, { partition: p.partition, offset: r.offset }), String(r.offset)),
          h('span', { class: `state-${r.state}` }, r.state),
          r.memberId ?? '-',
          r.deliveryCount,
          time(r.lockExpiresAt),
          time(r.availableAt),
        ]),
      ),
    );
  });
  const topics = [...new Set(group.partitions.map((p) => p.topic))];
  if (topics.length > 0) section.append(jobSearch(name, topics));
  section.append(h('h2', {}, 'Config'), configForm(name, group.config));
  return section;
}

function configForm(name: string, config: ShareGroup['config']): HTMLElement {
  const form = h(
    'form',
    { class: 'inline', 'data-testid': 'share-config' },
    ...Object.entries(config).map(([key, value]) =>
      h('label', {}, `${key} `, h('input', { name: key, value: String(value ?? '') })),
    ),
    h('button', {}, 'Save config'),
  ) as HTMLFormElement;
  const message = h('p', { class: 'error' });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(form);
    const change = Object.fromEntries(
      Object.entries(v).map(([k, value]) => [
        k,
        NUMBER_SETTINGS.includes(k) ? Number(value) : k === 'deadLetterTopic' && value === '' ? null : value,
      ]),
    );
    try {
      await api('PATCH', `/v1/share-groups/${enc(name)}/config`, change);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) {
      message.textContent = String((error as Error).message);
    }
  });
  return h('div', {}, form, message);
}
