import { murmur2, partitionForKey } from '../../src/log/domain/murmur2.js';
import { Partitioner } from '../../src/log/domain/partitioner.js';

describe(murmur2.name, () => {
  // Kafka's own test vectors (UtilsTest.testMurmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j like Kafka', (text, expected) => {
    expect(murmur2(Buffer.from(text, 'utf8'))).toBe(expected);
  });

  it('puts a key on the partition a Kafka producer would', () => {
    expect(partitionForKey('foobar', 7)).toBe((-790332482 & 0x7fffffff) % 7);
    expect(partitionForKey('abc', 10)).toBe(479470107 % 10);
  });
});

describe(Partitioner.name, () => {
  it('spreads keyless records evenly over the partitions', () => {
    const partitioner = new Partitioner();
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[partitioner.choose(1, 4, null)]++;
    expect(counts).toEqual([100, 100, 100, 100]);
  });

  it('sends the same key to the same partition every time', () => {
    const partitioner = new Partitioner();
    const first = partitioner.choose(1, 16, 'user-42');
    for (let i = 0; i < 10; i++) expect(partitioner.choose(1, 16, 'user-42')).toBe(first);
    expect(first).toBe(partitionForKey('user-42', 16));
  });
});
