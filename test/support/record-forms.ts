import type { ProduceRecord } from '@shoal/protocol';

const odd = Buffer.from([0x00, 0xff, 0xfe, 0x22, 0x5c, 0x0a, 0x80]);

/**
 * One produce record of every stored form: JSON with quotes and backslashes, JSON null, a
 * tombstone, raw bytes with NUL and invalid UTF-8, empty bytes, NUL and binary keys, an empty
 * key, repeated and binary headers. A storage path that drops or changes a form fails on it.
 */
export const RECORD_FORMS: ProduceRecord[] = [
  { value: { quote: '"\\', nested: [null, 1.5, 'ü'] } },
  { value: null },
  { tombstone: true, key: 'gone' },
  { valueBase64: odd.toString('base64'), key: '' },
  { valueBase64: '' },
  { value: 'nul key', keyBase64: Buffer.from('a\u0000b').toString('base64') },
  { value: 'bytes key', keyBase64: odd.toString('base64') },
  {
    value: 'repeats',
    headerList: [
      { name: 'h', value: 'one' },
      { name: 'h', valueBase64: odd.toString('base64') },
    ],
  },
  { value: 'headers', headers: { trace: 'x"y', empty: '' } },
];
