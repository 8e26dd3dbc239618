/** Small DOM helpers: elements, tables, forms, and an SVG line chart. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A table; numbers are right-aligned; `testid` names it for tests. */
export function table(testid: string, headers: string[], rows: Child[][]): HTMLElement {
  return h(
    'table',
    { 'data-testid': testid },
    h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', {}, title)))),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h('tr', {}, ...row.map((cell) => h('td', typeof cell === 'number' ? { class: 'num' } : {}, cell ?? '-'))),
      ),
    ),
  );
}

export function link(href: string, text: string): HTMLElement {
  return h('a', { href }, text);
}

export function time(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/** Values of the named inputs of a form. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)]));
}

/** A line chart of `points` (time, value) with the last value and the maximum written on it. */
export function lineChart(testid: string, title: string, points: [number, number][], unit: string): SVGElement {
  const width = 420;
  const height = 90;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('data-testid', testid);
  const max = Math.max(1, ...points.map(([, v]) => v));
  const t0 = points[0]?.[0] ?? 0;
  const span = Math.max(1, (points[points.length - 1]?.[0] ?? 1) - t0);
  const d = points
    .map(
      ([t, v], i) =>
        `${i === 0 ? 'M' : 'L'}${(((t - t0) / span) * (width - 20) + 10).toFixed(1)},${(height - 10 - (v / max) * (height - 30)).toFixed(1)}`,
    )
    .join(' ');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  const label = document.createElementNS(ns, 'text');
  label.setAttribute('x', '10');
  label.setAttribute('y', '14');
  const last = points[points.length - 1]?.[1] ?? 0;
  label.textContent = `${title}: ${round(last)} ${unit} (max ${round(max)}, last ${Math.round(span / 1000)} s)`;
  svg.append(path, label);
  return svg;
}

function round(value: number): string {
  return value >= 100 ? String(Math.round(value)) : value.toFixed(1);
}

function hexOf(base64: string): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Renders `value` for people: JSON pretty-printed, bytes as hex and base64, a tombstone as such. */
export function recordValue(record: { value?: unknown; valueBase64?: string; tombstone?: true }): HTMLElement {
  if (record.tombstone === true) return h('pre', {}, '(tombstone: null value)');
  if (record.valueBase64 !== undefined)
    return h('pre', {}, `hex: ${hexOf(record.valueBase64)}\nbase64: ${record.valueBase64}`);
  return h('pre', {}, JSON.stringify(record.value, null, 2));
}

/** Renders a key: text as is, bytes that are not UTF-8 as hex, no key as "-". */
export function recordKey(record: { key?: string | null; keyBase64?: string }): string {
  if (record.keyBase64 !== undefined) return `hex: ${hexOf(record.keyBase64)}`;
  return record.key ?? '-';
}

/** Renders headers: the object, or every header in order when the record has a headerList. */
export function recordHeaders(record: {
  headers: Record<string, string>;
  headerList?: { name: string; value?: string | null; valueBase64?: string }[];
}): HTMLElement {
  if (record.headerList === undefined) return h('pre', {}, JSON.stringify(record.headers));
  const lines = record.headerList.map(
    (e) =>
      `${e.name}: ${e.valueBase64 !== undefined ? `hex: ${hexOf(e.valueBase64)}` : e.value === null || e.value === undefined ? '(null)' : JSON.stringify(e.value)}`,
  );
  return h('pre', {}, lines.join('\n'));
}
