/**
 * The bytes Kafka's consumers put in JoinGroup metadata and SyncGroup assignments
 * (`ConsumerProtocolSubscription` / `ConsumerProtocolAssignment`, never flexible): a version,
 * then topics. The broker reads them only to show subscriptions and assignments in describe,
 * the lists and `/metrics`; it passes them on to the members as they came. Anything it cannot
 * read is shown as nothing.
 */

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  int16(): number {
    const value = this.bytes.readInt16BE(this.at);
    this.at += 2;
    return value;
  }

  int32(): number {
    const value = this.bytes.readInt32BE(this.at);
    this.at += 4;
    return value;
  }

  string(): string {
    const length = this.int16();
    if (length < 0 || this.at + length > this.bytes.length) throw new RangeError('string out of range');
    const value = this.bytes.toString('utf8', this.at, this.at + length);
    this.at += length;
    return value;
  }

  array<T>(item: () => T): T[] {
    const length = this.int32();
    if (length < 0) return [];
    if (length > this.bytes.length) throw new RangeError('array out of range');
    return Array.from({ length }, item);
  }
}

/** The topics of a `consumer` protocol subscription; [] when the bytes are not one. */
export function subscribedTopics(metadata: Buffer | null): string[] {
  if (!metadata || metadata.length < 6) return [];
  try {
    const reader = new Reader(metadata);
    reader.int16();
    return reader.array(() => reader.string());
  } catch {
    return [];
  }
}

/** The partitions of a `consumer` protocol assignment; [] when the bytes are not one. */
export function assignedPartitions(assignment: Buffer | null): TopicPartitions[] {
  if (!assignment || assignment.length < 6) return [];
  try {
    const reader = new Reader(assignment);
    reader.int16();
    return reader.array(() => ({ topic: reader.string(), partitions: reader.array(() => reader.int32()) }));
  } catch {
    return [];
  }
}

function string(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function int32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value);
  return bytes;
}

const VERSION_0 = Buffer.from([0, 0]);
const NO_USER_DATA = int32(-1);

/** A version-0 subscription, as a client writes it (tests, and describe's answer for HTTP members). */
export function encodeSubscription(topics: string[]): Buffer {
  return Buffer.concat([VERSION_0, int32(topics.length), ...topics.map(string), NO_USER_DATA]);
}

/** A version-0 assignment, as a leader writes it. */
export function encodeAssignment(assignment: TopicPartitions[]): Buffer {
  return Buffer.concat([
    VERSION_0,
    int32(assignment.length),
    ...assignment.flatMap((a) => [string(a.topic), int32(a.partitions.length), ...a.partitions.map(int32)]),
    NO_USER_DATA,
  ]);
}
