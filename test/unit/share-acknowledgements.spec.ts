import { toAcknowledgements } from '../../src/kafka/share/share-acknowledgements.js';

describe(toAcknowledgements.name, () => {
  it('turns a batch with one type into one ack over its range', () => {
    expect(toAcknowledgements('t', 0, [{ firstOffset: 4, lastOffset: 9, acknowledgeTypes: [1] }], false)).toEqual([
      { topic: 't', partition: 0, offset: 4, lastOffset: 9, type: 'accept' },
    ]);
  });

  it('turns per-offset types into one ack per run of equal types, in order', () => {
    const acks = toAcknowledgements(
      't',
      1,
      [{ firstOffset: 0, lastOffset: 4, acknowledgeTypes: [1, 1, 2, 3, 3] }],
      false,
    );
    expect(acks).toEqual([
      { topic: 't', partition: 1, offset: 0, lastOffset: 1, type: 'accept' },
      { topic: 't', partition: 1, offset: 2, type: 'release' },
      { topic: 't', partition: 1, offset: 3, lastOffset: 4, type: 'reject' },
    ]);
  });

  it('archives a gap like a reject, and takes renew only when allowed', () => {
    expect(toAcknowledgements('t', 0, [{ firstOffset: 2, lastOffset: 2, acknowledgeTypes: [0] }], false)).toEqual([
      { topic: 't', partition: 0, offset: 2, type: 'reject' },
    ]);
    expect(toAcknowledgements('t', 0, [{ firstOffset: 2, lastOffset: 2, acknowledgeTypes: [4] }], false)).toBeNull();
    expect(toAcknowledgements('t', 0, [{ firstOffset: 2, lastOffset: 2, acknowledgeTypes: [4] }], true)).toEqual([
      { topic: 't', partition: 0, offset: 2, type: 'renew' },
    ]);
  });

  it('refuses malformed batches: last before first, a types array of another length, unknown types', () => {
    expect(toAcknowledgements('t', 0, [{ firstOffset: 5, lastOffset: 4, acknowledgeTypes: [1] }], true)).toBeNull();
    expect(toAcknowledgements('t', 0, [{ firstOffset: 0, lastOffset: 2, acknowledgeTypes: [1, 1] }], true)).toBeNull();
    expect(toAcknowledgements('t', 0, [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [9] }], true)).toBeNull();
    expect(toAcknowledgements('t', 0, [{ firstOffset: -1, lastOffset: 0, acknowledgeTypes: [1] }], true)).toBeNull();
  });

  it('does not walk a huge single-type range offset by offset', () => {
    const started = Date.now();
    const acks = toAcknowledgements('t', 0, [{ firstOffset: 0, lastOffset: 2 ** 52, acknowledgeTypes: [1] }], false);
    expect(acks).toHaveLength(1);
    // Walking 2^52 offsets would take days; one range is microseconds. 1 s holds on a loaded machine.
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
