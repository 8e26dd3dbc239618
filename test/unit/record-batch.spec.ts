import { gzipSync } from 'node:zlib';
import { crc32c } from '../../src/kafka/protocol/crc32c.js';
import {
  CorruptRecordError,
  decodeRecordBatches,
  encodeRecordBatch,
  UnsupportedCompressionError,
} from '../../src/kafka/protocol/record-batch.js';

const records = [
  {
    timestamp: 1_700_000_000_000,
    key: Buffer.from('k1'),
    value: Buffer.from('v1'),
    headers: [{ key: 'h', value: Buffer.from('x') }],
  },
  { timestamp: 1_700_000_000_005, key: null, value: null, headers: [] },
  { timestamp: 1_700_000_000_001, key: Buffer.alloc(0), value: Buffer.from('é'), headers: [{ key: 'n', value: null }] },
];

describe('record batch v2', () => {
  it.each(['none', 'gzip'] as const)(
    'reads back what it writes (%s), offsets and timestamps per record',
    (compression) => {
      const bytes = encodeRecordBatch({
        baseOffset: 40,
        records,
        compression,
        producerId: 9,
        producerEpoch: 1,
        baseSequence: 3,
      });
      const [batch] = decodeRecordBatches(bytes);
      expect(batch!.baseOffset).toBe(40);
      expect(batch!.lastOffsetDelta).toBe(2);
      expect(batch!.maxTimestamp).toBe(1_700_000_000_005);
      expect(batch!.producerId).toBe(9);
      expect(batch!.baseSequence).toBe(3);
      expect(batch!.records).toEqual(records.map((r, i) => ({ ...r, offset: 40 + i })));
    },
  );

  it('reads several batches and leaves out a trailing partial one', () => {
    const a = encodeRecordBatch({ baseOffset: 0, records: records.slice(0, 1) });
    const b = encodeRecordBatch({ baseOffset: 1, records: records.slice(1) });
    const batches = decodeRecordBatches(Buffer.concat([a, b, b.subarray(0, 30)]));
    expect(batches.map((x) => x.baseOffset)).toEqual([0, 1]);
  });

  it('refuses a batch whose CRC does not match', () => {
    const bytes = Buffer.from(encodeRecordBatch({ baseOffset: 0, records }));
    bytes[bytes.length - 1] ^= 0xff;
    expect(() => decodeRecordBatches(bytes)).toThrow(CorruptRecordError);
  });

  it('refuses snappy, lz4 and zstd as unsupported compression', () => {
    for (const codec of [2, 3, 4]) {
      const bytes = Buffer.from(encodeRecordBatch({ baseOffset: 0, records }));
      bytes.writeInt16BE(codec, 21);
      // the CRC covers the attributes: recompute so only the codec is wrong
      bytes.writeUInt32BE(crc32c(bytes.subarray(21)), 17);
      expect(() => decodeRecordBatches(bytes)).toThrow(UnsupportedCompressionError);
    }
  });

  it('refuses gzip data that does not inflate', () => {
    const bytes = Buffer.from(encodeRecordBatch({ baseOffset: 0, records, compression: 'gzip' }));
    const broken = Buffer.concat([bytes.subarray(0, 61), gzipSync(Buffer.from('x')).subarray(0, 5)]);
    broken.writeInt32BE(broken.length - 12, 8);
    broken.writeUInt32BE(crc32c(broken.subarray(21)), 17);
    expect(() => decodeRecordBatches(broken)).toThrow(CorruptRecordError);
  });
});
