import type { RecordRow } from './record-insert.js';
import { bufferOf, isTextKey, keyBytes } from './record-columns.js';

/*
 * One pack: a partition's consecutive records as one blob (`shoal_record_pack.records`), cheap
 * to build and to take apart, and exact both ways: filed, each record's columns are what a
 * row-by-row insert would have stored.
 *
 *   u32 count | u32 meta bytes | u32 text bytes | meta | text (UTF-8) | bytes
 *
 * Per record, in the meta: u8 flags; f64 timestamp (when not the previous record's); f64 max
 * timestamp (when not its own timestamp); u32 size; then a u32 length per field the flags name,
 * in this order: text key, key bytes, JSON value, value bytes, headers. Texts (text key, JSON
 * value, headers) are laid end to end in the text part, their lengths in UTF-16 code units (the
 * whole part is one UTF-8 encode and one decode); bytes end to end in the bytes part.
 */

const KEY_TEXT = 1;
const KEY_BYTES = 2;
const VALUE_JSON = 4;
const VALUE_BYTES = 8;
const HEADERS = 16;
const OWN_TIMESTAMP = 32;
const OWN_MAX_TIMESTAMP = 64;

const HEAD = 12;
/** The most meta one record takes: flags, two f64, the size and three lengths (a key and a value are one kind each). */
const META_MAX = 1 + 8 + 8 + 4 + 3 * 4;

/** What a pack keeps of a record: its timestamps come from the row, or all from a `stamp`. */
type PackedRecord = Pick<RecordRow, 'key' | 'value' | 'headers' | 'size'> & {
  timestamp?: number | null;
  maxTimestamp?: number;
};

/**
 * The pack of `rows` (one partition's, in offset order). `stamp`: every record's timestamp and
 * max timestamp (records the broker stamps, on a partition whose max timestamp is not later);
 * else each row's own.
 */
export function encodePack(rows: readonly PackedRecord[], stamp?: number): Buffer {
  const meta = Buffer.allocUnsafe(rows.length * META_MAX);
  const texts: string[] = [];
  const bytes: Buffer[] = [];
  let bytesLength = 0;
  let at = 0;
  let previous = Number.NaN;
  const addText = (text: string) => {
    texts.push(text);
    at = meta.writeUInt32LE(text.length, at);
  };
  const addBytes = (b: Buffer) => {
    bytes.push(b);
    bytesLength += b.length;
    at = meta.writeUInt32LE(b.length, at);
  };
  for (const row of rows) {
    const { key, value, headers } = row;
    let flags = 0;
    if (key !== null) flags |= isTextKey(key) ? KEY_TEXT : KEY_BYTES;
    if (typeof value === 'string') flags |= VALUE_JSON;
    else if (value !== null) flags |= VALUE_BYTES;
    if (headers !== null) flags |= HEADERS;
    const timestamp = stamp ?? row.timestamp!;
    const maxTimestamp = stamp ?? row.maxTimestamp!;
    if (timestamp !== previous) flags |= OWN_TIMESTAMP;
    if (maxTimestamp !== timestamp) flags |= OWN_MAX_TIMESTAMP;
    at = meta.writeUInt8(flags, at);
    if (flags & OWN_TIMESTAMP) at = meta.writeDoubleLE(timestamp, at);
    if (flags & OWN_MAX_TIMESTAMP) at = meta.writeDoubleLE(maxTimestamp, at);
    previous = timestamp;
    at = meta.writeUInt32LE(row.size, at);
    if (key !== null) {
      if (isTextKey(key)) addText(key);
      else addBytes(keyBytes(key));
    }
    if (typeof value === 'string') addText(value);
    else if (value !== null) addBytes(value);
    if (headers !== null) addText(headers);
  }
  const text = texts.join('');
  const textLength = Buffer.byteLength(text);
  const pack = Buffer.allocUnsafe(HEAD + at + textLength + bytesLength);
  pack.writeUInt32LE(rows.length, 0);
  pack.writeUInt32LE(at, 4);
  pack.writeUInt32LE(textLength, 8);
  meta.copy(pack, HEAD, 0, at);
  let end = HEAD + at + pack.write(text, HEAD + at, 'utf8');
  for (const b of bytes) end += b.copy(pack, end);
  return pack;
}

/**
 * How many leading bytes of a pack hold record `index`'s meta, at most: a read of the blob's
 * first {@link packHeadLength} bytes is enough for {@link packTimestampAt} (SQL `substr`).
 */
export const packHeadLength = (index: number) => HEAD + (index + 1) * META_MAX;

/** {@link packHeadLength} in SQL: the blob column's first bytes up to the record at offset `offset`. */
export const packHeadSql = (blob: string, base: string, offset: string) =>
  `substr(${blob}, 1, CAST(${HEAD} + ${META_MAX} * ((${offset}) - ${base} + 1) AS INTEGER))`;

/**
 * The timestamp of the pack's record `index` (from its base offset), read from the meta alone:
 * `head` is the pack or its first {@link packHeadLength}(index) bytes or more. Null past the pack's end.
 */
export function packTimestampAt(head: Buffer | Uint8Array, index: number): number | null {
  const pack = bufferOf(head)!;
  if (index < 0 || index >= pack.readUInt32LE(0)) return null;
  let at = HEAD;
  let timestamp = 0;
  for (let r = 0; ; r++) {
    const flags = pack[at++];
    if (flags & OWN_TIMESTAMP) {
      timestamp = pack.readDoubleLE(at);
      at += 8;
    }
    if (r === index) return timestamp;
    if (flags & OWN_MAX_TIMESTAMP) at += 8;
    // The size, then a length per field present (a key and a value are one kind each).
    at +=
      4 +
      4 *
        (((flags & (KEY_TEXT | KEY_BYTES)) !== 0 ? 1 : 0) +
          ((flags & (VALUE_JSON | VALUE_BYTES)) !== 0 ? 1 : 0) +
          ((flags & HEADERS) !== 0 ? 1 : 0));
  }
}

/** The rows a pack holds, offsets from `baseOffset` on; only those `wanted` when given. */
export function decodePack(
  topicId: number,
  partition: number,
  baseOffset: number,
  blob: Buffer | Uint8Array,
  wanted?: (offset: number) => boolean,
): RecordRow[] {
  const pack = bufferOf(blob)!;
  const count = pack.readUInt32LE(0);
  const metaEnd = HEAD + pack.readUInt32LE(4);
  const textEnd = metaEnd + pack.readUInt32LE(8);
  const text = pack.toString('utf8', metaEnd, textEnd);
  const rows: RecordRow[] = [];
  let at = HEAD;
  let chars = 0;
  let bytesAt = textEnd;
  let timestamp = 0;
  const textOf = () => {
    const length = pack.readUInt32LE(at);
    at += 4;
    return text.slice(chars, (chars += length));
  };
  const bytesOf = () => {
    const length = pack.readUInt32LE(at);
    at += 4;
    return pack.subarray(bytesAt, (bytesAt += length));
  };
  for (let r = 0; r < count; r++) {
    const flags = pack[at++];
    if (flags & OWN_TIMESTAMP) {
      timestamp = pack.readDoubleLE(at);
      at += 8;
    }
    let maxTimestamp = timestamp;
    if (flags & OWN_MAX_TIMESTAMP) {
      maxTimestamp = pack.readDoubleLE(at);
      at += 8;
    }
    const size = pack.readUInt32LE(at);
    at += 4;
    const key = flags & KEY_TEXT ? textOf() : flags & KEY_BYTES ? bytesOf() : null;
    const value = flags & VALUE_JSON ? textOf() : flags & VALUE_BYTES ? bytesOf() : null;
    const headers = flags & HEADERS ? textOf() : null;
    if (!wanted || wanted(baseOffset + r))
      rows.push({ topicId, partition, offset: baseOffset + r, timestamp, maxTimestamp, key, value, headers, size });
  }
  return rows;
}
