import { api, enc } from '../api.js';
import { formValues, h, link, table, time } from '../dom.js';
import type { JsonValue, ProduceRecord, ScheduleDescription, ScheduleRequest, ScheduleView } from '@shoal/protocol';

const when = (s: ScheduleView) =>
  s.cron === null ? `every ${s.everyMs} ms` : `cron ${s.cron} (${s.timezone ?? 'UTC'})`;

/** The value box: JSON when it parses, else the text itself; empty is null. */
function valueOf(text: string): JsonValue {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** Runs a change and re-renders, or shows the broker's refusal in `status`. */
async function change(status: HTMLElement, run: () => Promise<unknown>, then = location.hash): Promise<void> {
  try {
    await run();
    if (location.hash === then) window.dispatchEvent(new HashChangeEvent('hashchange'));
    else location.hash = then;
  } catch (error) {
    status.textContent = String((error as Error).message);
  }
}

/** Repeating jobs: every schedule with pause/resume/delete, and a form that creates or replaces one. */
export async function schedulesPage(): Promise<HTMLElement> {
  const { schedules } = await api<{ schedules: ScheduleView[] }>('GET', '/v1/schedules');
  const { topics } = await api<{ topics: { name: string }[] }>('GET', '/v1/topics');
  const status = h('p', { class: 'error', 'data-testid': 'schedule-error' });
  const form = h(
    'form',
    { class: 'inline', 'data-testid': 'create-schedule' },
    h('input', { name: 'name', placeholder: 'schedule name', required: true }),
    h('select', { name: 'topic', required: true }, ...topics.map((t) => h('option', { value: t.name }, t.name))),
    h(
      'select',
      { name: 'kind' },
      h('option', { value: 'everyMs' }, 'every (ms)'),
      h('option', { value: 'cron' }, 'cron pattern'),
    ),
    h('input', { name: 'when', placeholder: '60000 or 0 3 * * *', required: true }),
    h('input', { name: 'timezone', placeholder: 'time zone (cron; UTC)' }),
    h('input', { name: 'value', placeholder: 'record value (JSON or text)' }),
    h('input', { name: 'attempts', type: 'number', min: 1, max: 1000, placeholder: 'attempts (optional)' }),
    h('button', {}, 'Save schedule'),
  ) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const v = formValues(form);
    const record: ProduceRecord = { value: valueOf(v.value) };
    if (v.attempts) record.attempts = Number(v.attempts);
    const request: ScheduleRequest = { name: v.name, topic: v.topic, record };
    if (v.kind === 'cron') {
      request.cron = v.when;
      if (v.timezone) request.timezone = v.timezone;
    } else request.everyMs = Number(v.when);
    void change(status, () => api('POST', '/v1/schedules', request), `#/schedules/${enc(v.name)}`);
  });
  const rows = schedules.map((s) => [
    link(`#/schedules/${enc(s.name)}`, s.name),
    link(`#/topics/${enc(s.topic)}`, s.topic),
    when(s),
    s.paused ? 'paused' : 'running',
    time(s.nextRunAt),
    time(s.lastRunAt),
    h(
      'span',
      {},
      h(
        'button',
        {
          'data-testid': `toggle-${s.name}`,
          onclick: () =>
            void change(status, () => api('POST', `/v1/schedules/${enc(s.name)}/${s.paused ? 'resume' : 'pause'}`)),
        },
        s.paused ? 'Resume' : 'Pause',
      ),
      ' ',
      h(
        'button',
        {
          'data-testid': `delete-${s.name}`,
          onclick: () => {
            if (confirm(`Delete schedule ${s.name}?`))
              void change(status, () => api('DELETE', `/v1/schedules/${enc(s.name)}`));
          },
        },
        'Delete',
      ),
    ),
  ]);
  return h(
    'section',
    {},
    h('h1', {}, 'Schedules'),
    table('schedules', ['schedule', 'topic', 'when', 'state', 'next run', 'last run', ''], rows),
    h('h2', {}, 'Create or replace'),
    form,
    status,
  );
}

/** One schedule: its settings, its record and its next five runs. */
export async function schedulePage(name: string): Promise<HTMLElement> {
  const s = await api<ScheduleDescription>('GET', `/v1/schedules/${enc(name)}`);
  return h(
    'section',
    {},
    h('h1', {}, `Schedule: ${s.name}`),
    h(
      'p',
      { 'data-testid': 'schedule-summary' },
      `${when(s)} to `,
      link(`#/topics/${enc(s.topic)}`, s.topic),
      `, ${s.paused ? 'paused' : 'running'}, last run ${time(s.lastRunAt)}`,
    ),
    h('pre', { 'data-testid': 'schedule-record' }, JSON.stringify(s.record, null, 2)),
    table(
      'schedule-next-runs',
      ['next runs'],
      s.nextRuns.map((t) => [time(t)]),
    ),
    link('#/schedules', 'All schedules'),
  );
}
