import { partitionForKey } from '../../src/log/domain/murmur2.js';
import {
  bytesOrText,
  headerEntries,
  headersView,
  isHeaderList,
  storeHeaders,
} from '../../src/log/domain/record-headers.js';

describe(storeHeaders.name, () => {
  it('keeps distinct text headers as the JSON object they always were', () => {
    const stored = storeHeaders([
      { name: 'trace', value: 'abc' },
      { name: 'source', value: 'wéb' },
    ]);
    expect(stored).toEqual({ text: '{"trace":"abc","source":"wéb"}', bytes: 5 + 3 + 6 + 4 });
    expect(headersView(stored.text)).toEqual({ headers: { trace: 'abc', source: 'wéb' } });
  });

  it.each([
    [
      'a repeated name',
      [
        { name: 'trace', value: 'a' },
        { name: 'trace', value: 'b' },
      ],
      { trace: 'b' },
    ],
    [
      'a null value',
      [
        { name: 'n', value: null },
        { name: 'h', value: 'v' },
      ],
      { h: 'v' },
    ],
    ['bytes that are not UTF-8', [{ name: 'bin', value: Buffer.from([0xc3, 0x28]) }], {}],
    [
      'an array-index name a JSON object would move first',
      [
        { name: 'z', value: '1' },
        { name: '7', value: '2' },
      ],
      { z: '1', 7: '2' },
    ],
  ])('keeps %s as an ordered list, and the object view only the exact text ones', (_, entries, headers) => {
    const stored = storeHeaders(entries);
    expect(isHeaderList(stored.text)).toBe(true);
    expect(headerEntries(stored.text)).toEqual(entries);
    expect(headersView(stored.text).headers).toEqual(headers);
    expect(headersView(stored.text).headerList).toHaveLength(entries.length);
  });

  it('stores no headers as null', () => {
    expect(storeHeaders([])).toEqual({ text: null, bytes: 0 });
    expect(headerEntries(null)).toEqual([]);
  });
});

describe(bytesOrText.name, () => {
  it('keeps UTF-8 as text and anything else as the bytes', () => {
    expect(bytesOrText(Buffer.from('héllo'))).toBe('héllo');
    expect(bytesOrText(Buffer.from([0x00, 0xff, 0xfe]))).toEqual(Buffer.from([0x00, 0xff, 0xfe]));
    expect(bytesOrText(Buffer.from([0xed, 0xa0, 0x80]))).toEqual(Buffer.from([0xed, 0xa0, 0x80])); // an encoded surrogate
  });

  it('partitions a text key and its UTF-8 bytes alike (murmur2 of the bytes)', () => {
    for (const key of ['customer-7', 'é', '', 'foobar'])
      expect(partitionForKey(Buffer.from(key, 'utf8'), 13)).toBe(partitionForKey(key, 13));
  });
});
