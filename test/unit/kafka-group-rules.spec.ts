import {
  assignedPartitions,
  encodeAssignment,
  encodeSubscription,
  subscribedTopics,
} from '../../src/kafka/groups/domain/consumer-protocol.js';
import {
  acceptsProtocols,
  type KafkaGroup,
  KafkaGroupState,
  type KafkaMember,
  nextRoundCheck,
  roundCanComplete,
  selectProtocol,
} from '../../src/kafka/groups/domain/kafka-group.js';

function member(memberId: string, protocols: string[], extra: Partial<KafkaMember> = {}): KafkaMember {
  return {
    memberId,
    clientId: 'c',
    clientHost: '',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    protocolType: 'consumer',
    protocols: protocols.map((name) => ({ name, metadata: Buffer.from(name) })),
    pending: false,
    awaitingJoin: false,
    generation: 1,
    assignment: null,
    expiresAt: 0,
    ...extra,
  };
}

const group = (extra: Partial<KafkaGroup> = {}): KafkaGroup => ({
  state: KafkaGroupState.Stable,
  protocolType: 'consumer',
  protocolName: 'range',
  leaderId: 'a',
  rebalanceDeadline: null,
  joinNotBefore: null,
  ...extra,
});

describe('Kafka group rules', () => {
  it('selects the protocol every member supports with the most first-choice votes', () => {
    const members = [member('a', ['sticky', 'range']), member('b', ['range', 'sticky']), member('c', ['range'])];
    expect(selectProtocol(members)).toBe('range');
    expect(selectProtocol([member('a', ['sticky', 'range']), member('b', ['sticky', 'range'])])).toBe('sticky');
    expect(selectProtocol([member('a', ['x']), member('b', ['y'])])).toBeNull();
  });

  it('accepts a join only with the group’s protocol type and a protocol every member has', () => {
    const members = [member('a', ['range', 'sticky'])];
    const offered = (names: string[]) => names.map((name) => ({ name, metadata: Buffer.alloc(0) }));
    expect(acceptsProtocols(group(), members, 'consumer', offered(['sticky']))).toBe(true);
    expect(acceptsProtocols(group(), members, 'consumer', offered(['roundrobin']))).toBe(false);
    expect(acceptsProtocols(group(), members, 'connect', offered(['range']))).toBe(false);
    expect(acceptsProtocols(group(), [], 'connect', offered(['anything']))).toBe(true);
    expect(acceptsProtocols(group(), [], 'consumer', [])).toBe(false);
  });

  it('ends a round when every member awaits its join or the deadline passed, never during the initial delay', () => {
    const open = group({ state: KafkaGroupState.PreparingRebalance, rebalanceDeadline: 1_000, joinNotBefore: null });
    const waiting = [member('a', ['range'], { awaitingJoin: true }), member('b', ['range'])];
    expect(roundCanComplete(open, waiting, 500)).toBe(false);
    expect(roundCanComplete(open, waiting, 1_000)).toBe(true);
    expect(
      roundCanComplete(
        open,
        waiting.map((m) => ({ ...m, awaitingJoin: true })),
        500,
      ),
    ).toBe(true);
    const delayed = { ...open, joinNotBefore: 800 };
    expect(roundCanComplete(delayed, [member('a', ['range'], { awaitingJoin: true })], 500)).toBe(false);
    expect(nextRoundCheck(delayed, 500)).toBe(800);
    expect(nextRoundCheck(delayed, 900)).toBe(1_000);
    expect(roundCanComplete(group(), waiting, 5_000)).toBe(false);
  });

  it('reads the consumer protocol’s subscription and assignment bytes, and nothing from bytes that are not', () => {
    expect(subscribedTopics(encodeSubscription(['orders', 'audit']))).toEqual(['orders', 'audit']);
    const assignment = [
      { topic: 'orders', partitions: [0, 2] },
      { topic: 'audit', partitions: [1] },
    ];
    expect(assignedPartitions(encodeAssignment(assignment))).toEqual(assignment);
    expect(subscribedTopics(Buffer.from([0, 0, 0x7f, 0xff, 0xff, 0xff]))).toEqual([]);
    expect(assignedPartitions(Buffer.from('not an assignment'))).toEqual([]);
    expect(assignedPartitions(null)).toEqual([]);
  });
});
