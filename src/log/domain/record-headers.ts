import { isUtf8 } from 'node:buffer';
import type { StoredHeaders } from './record.js';

/**
 * One header: a name and a value that is bytes or null. A string value stands for its UTF-8
 * bytes (the form a valid UTF-8 value is kept in), a Buffer for bytes that are not UTF-8.
 */
export interface HeaderEntry {
  name: string;
  value: string | Buffer | null;
}

/** A header as the HTTP `headerList` shows it: text, base64 bytes, or null. */
export type HeaderListEntry = { name: string; value: string | null } | { name: string; valueBase64: string };

/** Names a JS object would move to the front (array indices): they rule out the object form. */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/** Bytes as the key/header form they are kept in: a string when they are UTF-8, else the bytes. */
export function bytesOrText(bytes: Buffer): string | Buffer {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes;
}

/**
 * The stored form of `entries` and their size in bytes. Distinct names with text values (the
 * common case) are kept as a JSON object of strings, as headers always were; anything else —
 * a repeated name, a null value, bytes that are not UTF-8, an array-index name a JSON object
 * would reorder — as a JSON array of {@link HeaderListEntry}, in order.
 */
export function storeHeaders(entries: readonly HeaderEntry[]): { text: StoredHeaders; bytes: number } {
  if (entries.length === 0) return { text: null, bytes: 0 };
  let bytes = 0;
  let simple = true;
  const names = new Set<string>();
  for (const entry of entries) {
    bytes += Buffer.byteLength(entry.name, 'utf8');
    const value = entry.value;
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8');
    else {
      simple = false;
      if (value !== null) bytes += value.length;
    }
    if (simple && (names.has(entry.name) || INDEX_LIKE.test(entry.name))) simple = false;
    names.add(entry.name);
  }
  if (simple) {
    let text = '{';
    for (let i = 0; i < entries.length; i++) {
      if (i > 0) text += ',';
      text += `${JSON.stringify(entries[i].name)}:${JSON.stringify(entries[i].value)}`;
    }
    return { text: text + '}', bytes };
  }
  return { text: JSON.stringify(entries.map(listEntryOf)), bytes };
}

function listEntryOf(entry: HeaderEntry): HeaderListEntry {
  const value = entry.value;
  if (value === null || typeof value === 'string') return { name: entry.name, value };
  return { name: entry.name, valueBase64: value.toString('base64') };
}

/** Whether stored headers are in the list form (a `headerList` is needed to show them). */
export function isHeaderList(text: StoredHeaders): boolean {
  return text !== null && text.charCodeAt(0) === 0x5b; // '['
}

/** Every header in order, repeats kept. */
export function headerEntries(text: StoredHeaders): HeaderEntry[] {
  if (text === null) return [];
  if (!isHeaderList(text)) {
    return Object.entries(JSON.parse(text) as Record<string, string>).map(([name, value]) => ({ name, value }));
  }
  return (JSON.parse(text) as HeaderListEntry[]).map((entry) =>
    'valueBase64' in entry
      ? { name: entry.name, value: Buffer.from(entry.valueBase64, 'base64') }
      : { name: entry.name, value: entry.value },
  );
}

/** The bytes of a header value, or null. */
export function headerValueBytes(value: string | Buffer | null): Buffer | null {
  return value === null ? null : typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/**
 * What HTTP shows of stored headers: `headers`, an object of the text-valued ones (for a
 * repeated name the last, as Kafka's `lastHeader` reads it), and, only when that object cannot
 * say everything, `headerList` with every header in order.
 */
export function headersView(text: StoredHeaders): {
  headers: Record<string, string>;
  headerList?: HeaderListEntry[];
} {
  if (text === null) return { headers: {} };
  if (!isHeaderList(text)) return { headers: JSON.parse(text) as Record<string, string> };
  const headerList = JSON.parse(text) as HeaderListEntry[];
  const headers: Record<string, string> = {};
  for (const entry of headerList) {
    if ('value' in entry && entry.value !== null) Object.defineProperty(headers, entry.name, textProperty(entry.value));
  }
  return { headers, headerList };
}

function textProperty(value: string): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true };
}

/** The text headers as one object (the last value of a repeated name): what a `{name: value}` reader gets. */
export function headerObject(text: StoredHeaders): Record<string, string> {
  return headersView(text).headers;
}
