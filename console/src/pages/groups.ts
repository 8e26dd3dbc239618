import { api, enc } from '../api.js';
import { formValues, h, lineChart, link, table } from '../dom.js';
import { lagOf } from '../history.js';
import type { ConsumerGroupDescription as ConsumerGroup, GroupList } from '@shoal/protocol';

/** The list of consumer or share groups. */
export async function groupListPage(kind: 'consumer' | 'share', after = ''): Promise<HTMLElement> {
  const page = await api<GroupList>('GET', `/v1/${kind}-groups?limit=50${after ? `&after=${enc(after)}` : ''}`);
  const base = kind === 'consumer' ? '#/groups' : '#/share-groups';
  return h(
    'section',
    {},
    h('h1', {}, kind === 'consumer' ? 'Consumer groups' : 'Share groups'),
    kind === 'consumer'
      ? table(
          'consumer-groups',
          ['group', 'state', 'members', 'lag', 'protocol'],
          page.groups.map((g) => [
            link(`${base}/${enc(g.name)}`, g.name),
            g.state,
            g.members,
            g.lag,
            g.protocol ?? 'http',
          ]),
        )
      : table(
          'share-groups',
          ['group', 'state', 'members', 'lag'],
          page.groups.map((g) => [link(`${base}/${enc(g.name)}`, g.name), g.state, g.members, g.lag]),
        ),
    page.next ? link(`${base}?after=${enc(page.next)}`, 'next page') : null,
  );
}

export function assignmentText(assignment: { topic: string; partition: number }[]): string {
  return assignment.map((a) => `${a.topic}/${a.partition}`).join(', ') || '-';
}

/** One consumer group: members and their partitions, committed offsets and lag, offsets reset. */
export async function consumerGroupPage(name: string): Promise<HTMLElement> {
  const group = await api<ConsumerGroup>('GET', `/v1/consumer-groups/${enc(name)}`);
  const topics = [...new Set(group.offsets.map((o) => o.topic))];
  const reset = h(
    'form',
    { class: 'inline', 'data-testid': 'reset-offsets' },
    h('select', { name: 'topic' }, ...topics.map((t) => h('option', { value: t }, t))),
    h('input', { name: 'partition', type: 'number', min: 0, placeholder: 'all partitions' }),
    h(
      'select',
      { name: 'to' },
      h('option', { value: 'earliest' }, 'earliest'),
      h('option', { value: 'latest' }, 'latest'),
      h('option', { value: 'offset' }, 'offset'),
      h('option', { value: 'timestamp' }, 'timestamp (ms)'),
    ),
    h('input', { name: 'value', type: 'number', min: 0, placeholder: 'offset or ms' }),
    h('button', {}, 'Reset offsets'),
  ) as HTMLFormElement;
  const message = h('p', { class: 'error', 'data-testid': 'reset-error' });
  reset.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = formValues(reset);
    const to =
      v.to === 'offset' ? { offset: Number(v.value) } : v.to === 'timestamp' ? { timestamp: Number(v.value) } : v.to;
    const where = v.partition ? `partition ${v.partition} of ${v.topic}` : `every partition of ${v.topic}`;
    if (!confirm(`Reset ${name} on ${where} to ${JSON.stringify(to)}?`)) return;
    try {
      const partition = v.partition ? Number(v.partition) : undefined;
      await api('POST', `/v1/consumer-groups/${enc(name)}/offsets/reset`, { topic: v.topic, partition, to });
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) {
      message.textContent = String((error as Error).message);
    }
  });
  return h(
    'section',
    {},
    h('h1', {}, `Consumer group ${name}`),
    h(
      'p',
      { 'data-testid': 'group-summary' },
      `state ${group.state}, generation ${group.generation}, ${group.members.length} members, protocol ${group.protocol ?? 'http'}`,
    ),
    h('h2', {}, 'Members'),
    table(
      'members',
      ['member', 'partitions'],
      group.members.map((m) => [m.memberId, assignmentText(m.assignment)]),
    ),
    h('h2', {}, 'Offsets'),
    table(
      'offsets',
      ['topic', 'partition', 'committed offset', 'end offset', 'lag'],
      group.offsets.map((o) => [o.topic, o.partition, o.committedOffset ?? '-', o.endOffset, o.lag]),
    ),
    lineChart('lag-chart', 'total lag', lagOf('consumer', name), 'records'),
    h('h2', {}, 'Reset offsets'),
    h('p', { class: 'note' }, 'Only while the group has no members.'),
    reset,
    message,
  );
}
