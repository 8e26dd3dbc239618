import { gunzipSync, gzipSync } from 'node:zlib';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { crc32c } from './crc32c.js';
import { KafkaCodecError } from './kafka-codec.error.js';

/**
 * Record batch v2 (magic 2), the only message format Shoal reads and writes: fixed batch header,
 * CRC-32C over everything after the CRC, records with varint fields. Compression: none and gzip
 * (zlib); snappy, lz4 and zstd are refused with `UnsupportedCompressionError`.
 */
export interface KafkaRecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaRecordHeader[];
}

export type Compression = 'none' | 'gzip';

export interface RecordBatch {
  baseOffset: number;
  partitionLeaderEpoch: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: KafkaRecord[];
}

export interface RecordBatchInput {
  baseOffset: number;
  records: Array<Omit<KafkaRecord, 'offset'> & { offset?: number }>;
  compression?: Compression;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  /** The batch belongs to a transaction (the attributes' transactional bit); tests write such batches. */
  transactional?: boolean;
}

export class CorruptRecordError extends KafkaCodecError {}
export class UnsupportedCompressionError extends KafkaCodecError {}

const COMPRESSION_MASK = 0x07;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
/** baseOffset(8) + batchLength(4): the bytes before the rest of the batch. */
const LOG_OVERHEAD = 12;
/** The batch header up to and including the record count. */
const HEADER_BYTES = 61;

/**
 * All complete batches in a `records` field. A trailing partial batch (a fetch answer cut at its
 * byte limit) is left out, as clients do.
 */
export function decodeRecordBatches(data: Buffer): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let at = 0;
  while (data.length - at >= LOG_OVERHEAD) {
    const batchLength = data.readInt32BE(at + 8);
    if (batchLength < HEADER_BYTES - LOG_OVERHEAD) throw new CorruptRecordError(`batch length ${batchLength}`);
    const end = at + LOG_OVERHEAD + batchLength;
    if (end > data.length) break;
    batches.push(decodeBatch(data.subarray(at, end)));
    at = end;
  }
  return batches;
}

function decodeBatch(batch: Buffer): RecordBatch {
  const reader = new ByteReader(batch);
  const baseOffset = reader.int64();
  reader.int32();
  const partitionLeaderEpoch = reader.int32();
  const magic = reader.int8();
  if (magic !== 2) throw new CorruptRecordError(`record batch magic ${magic}; only v2 is supported`);
  const crc = reader.uint32();
  if (crc32c(batch.subarray(reader.offset)) !== crc) throw new CorruptRecordError('record batch CRC mismatch');
  const attributes = reader.int16();
  const head = {
    baseOffset,
    partitionLeaderEpoch,
    attributes,
    lastOffsetDelta: reader.int32(),
    baseTimestamp: reader.int64(),
    maxTimestamp: reader.int64(),
    producerId: reader.int64(),
    producerEpoch: reader.int16(),
    baseSequence: reader.int32(),
  };
  const count = reader.int32();
  if (count < 0) throw new CorruptRecordError(`record count ${count}`);
  const body = new ByteReader(decompress(attributes, reader.bytes(reader.remaining)));
  const records: KafkaRecord[] = [];
  if ((attributes & CONTROL_FLAG) === 0) {
    for (let i = 0; i < count; i++) records.push(readRecord(body, baseOffset, head.baseTimestamp));
  }
  return { ...head, records };
}

/** Whether a producer wrote the batch inside a transaction (the attributes' transactional bit). */
export function isTransactional(batch: RecordBatch): boolean {
  return (batch.attributes & TRANSACTIONAL_FLAG) !== 0;
}

function decompress(attributes: number, data: Buffer): Buffer {
  const codec = attributes & COMPRESSION_MASK;
  if (codec === 0) return data;
  if (codec === 1) {
    try {
      return gunzipSync(data);
    } catch {
      throw new CorruptRecordError('gzip data cannot be inflated');
    }
  }
  throw new UnsupportedCompressionError(`compression codec ${codec} is not supported (gzip only)`);
}

function readRecord(reader: ByteReader, baseOffset: number, baseTimestamp: number): KafkaRecord {
  const length = reader.varint();
  if (length < 0 || length > reader.remaining) throw new CorruptRecordError(`record length ${length}`);
  const record = new ByteReader(reader.bytes(length));
  record.int8();
  const timestamp = baseTimestamp + record.varlong();
  const offset = baseOffset + record.varint();
  const key = readVarBytes(record);
  const value = readVarBytes(record);
  const headerCount = record.varint();
  if (headerCount < 0) throw new CorruptRecordError(`header count ${headerCount}`);
  const headers: KafkaRecordHeader[] = [];
  for (let i = record.count(headerCount); i > 0; i--) {
    const headerKey = readVarBytes(record);
    if (headerKey === null) throw new CorruptRecordError('null header key');
    headers.push({ key: headerKey.toString('utf8'), value: readVarBytes(record) });
  }
  return { offset, timestamp, key, value, headers };
}

function readVarBytes(reader: ByteReader): Buffer | null {
  const length = reader.varint();
  if (length < 0) return null;
  return Buffer.from(reader.bytes(length));
}

/** One batch holding `records` at consecutive offsets from `baseOffset` (or their own `offset`). */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const records = input.records;
  const baseTimestamp = records.length > 0 ? Math.min(...records.map((r) => r.timestamp)) : Date.now();
  const maxTimestamp = records.length > 0 ? Math.max(...records.map((r) => r.timestamp)) : baseTimestamp;
  const body = new ByteWriter(1024);
  let lastOffsetDelta = 0;
  records.forEach((record, index) => {
    const offsetDelta = record.offset === undefined ? index : record.offset - input.baseOffset;
    lastOffsetDelta = Math.max(lastOffsetDelta, offsetDelta);
    writeRecord(body, record, offsetDelta, record.timestamp - baseTimestamp);
  });
  const gzip = input.compression === 'gzip';
  const payload = gzip ? gzipSync(body.result()) : body.result();
  const writer = new ByteWriter(HEADER_BYTES + payload.length);
  writer.int64(input.baseOffset);
  const lengthAt = writer.reserve32();
  writer.int32(input.partitionLeaderEpoch ?? -1);
  writer.int8(2);
  const crcAt = writer.reserve32();
  writer.int16((gzip ? 1 : 0) | (input.transactional ? TRANSACTIONAL_FLAG : 0));
  writer.int32(lastOffsetDelta);
  writer.int64(baseTimestamp);
  writer.int64(maxTimestamp);
  writer.int64(input.producerId ?? -1);
  writer.int16(input.producerEpoch ?? -1);
  writer.int32(input.baseSequence ?? -1);
  writer.int32(records.length);
  writer.bytes(payload);
  const out = writer.result();
  writer.setInt32At(lengthAt, out.length - LOG_OVERHEAD);
  writer.setUint32At(crcAt, crc32c(out.subarray(crcAt + 4)));
  return out;
}

function writeRecord(
  writer: ByteWriter,
  record: RecordBatchInput['records'][number],
  offsetDelta: number,
  timestampDelta: number,
): void {
  const inner = new ByteWriter(64 + (record.value?.length ?? 0) + (record.key?.length ?? 0));
  inner.int8(0);
  inner.varlong(timestampDelta);
  inner.varint(offsetDelta);
  writeVarBytes(inner, record.key);
  writeVarBytes(inner, record.value);
  inner.varint(record.headers.length);
  for (const header of record.headers) {
    writeVarBytes(inner, Buffer.from(header.key, 'utf8'));
    writeVarBytes(inner, header.value);
  }
  writer.varint(inner.offset);
  writer.bytes(inner.result());
}

function writeVarBytes(writer: ByteWriter, value: Uint8Array | null): void {
  if (value === null) return writer.varint(-1);
  writer.varint(value.length);
  writer.bytes(value);
}
