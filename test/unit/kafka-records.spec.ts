import { appendRecordOf, kafkaRecordOf } from '../../src/kafka/records/kafka-records.js';

/** A Kafka value through the mapping and back: its stored form and the bytes Kafka reads. */
function roundTrip(value: Buffer) {
  const appended = appendRecordOf({ offset: 0, timestamp: 1, key: null, value, headers: [] }, 0);
  const stored = { offset: 0, timestamp: 1, key: null, value: appended.value, headers: null, size: value.length };
  return { stored: appended.value, read: kafkaRecordOf(stored).value };
}

describe('Kafka values: JSON text or bytes', () => {
  it.each([' 0', '\n{"a":1}', '\t[1]\r\n', '0 ', '"x"'])(
    'stores JSON text %j as JSON, and Kafka reads the same bytes',
    (text) => {
      const { stored, read } = roundTrip(Buffer.from(text, 'utf8'));
      expect(stored).toBe(text);
      expect(read).toEqual(Buffer.from(text, 'utf8'));
    },
  );

  it.each([' ', ' x', '0x', '{', ''])('stores %j as bytes', (text) => {
    const { stored, read } = roundTrip(Buffer.from(text, 'utf8'));
    expect(Buffer.isBuffer(stored)).toBe(true);
    expect(read).toEqual(Buffer.from(text, 'utf8'));
  });
});
