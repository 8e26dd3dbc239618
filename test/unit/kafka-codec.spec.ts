import { ByteReader } from '../../src/kafka/protocol/byte-reader.js';
import { ByteWriter } from '../../src/kafka/protocol/byte-writer.js';
import { crc32c } from '../../src/kafka/protocol/crc32c.js';
import { KafkaCodecError } from '../../src/kafka/protocol/kafka-codec.error.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  schemaVersions,
} from '../../src/kafka/protocol/kafka-codec.js';
import { readMessage, writeMessage } from '../../src/kafka/protocol/message-codec.js';
import { API_SCHEMAS } from '../../src/kafka/protocol/schemas/index.js';
import { FrameReader } from '../../src/kafka/protocol/frame-reader.js';

const header = (apiKey: number, version: number) => ({
  requestApiKey: apiKey,
  requestApiVersion: version,
  correlationId: 7,
  clientId: 'codec-test',
});

describe('Kafka codec', () => {
  it('reads back every API request and response at every version it writes, defaults filled in', () => {
    for (const [apiKey, { request, response }] of API_SCHEMAS) {
      const { min, max } = schemaVersions(apiKey);
      for (let version = min; version <= max; version++) {
        for (const schema of [request, response]) {
          const writer = new ByteWriter();
          writeMessage(schema, version, writer, {});
          const first = readMessage(schema, version, new ByteReader(writer.result()));
          const again = new ByteWriter();
          writeMessage(schema, version, again, first);
          expect(again.result()).toEqual(writer.result());
        }
      }
    }
  });

  it('writes Metadata v1 exactly as Kafka lays it out: int32 count, int16 strings, null topics as -1', () => {
    const frame = encodeRequest(header(3, 1), { topics: null });
    // size, key 3, version 1, correlation 7, client id (int16 length), topics -1
    const expected = Buffer.concat([
      Buffer.from([0, 0, 0, 24, 0, 3, 0, 1, 0, 0, 0, 7, 0, 10]),
      Buffer.from('codec-test'),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
    ]);
    expect(frame).toEqual(expected);
    const decoded = decodeRequest(frame.subarray(4));
    expect(decoded.header).toEqual(header(3, 1));
    expect(decoded.body).toEqual({
      topics: null,
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
  });

  it('uses compact strings, compact arrays and tagged fields in flexible versions', () => {
    const body = {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 8 }],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 5,
      supportedFeatures: [{ name: 'share.version', minVersion: 0, maxVersion: 1 }],
    };
    const frame = encodeResponse(18, 3, 9, body);
    // ApiVersions answers keep the v0 response header: size, correlation id, then the body.
    expect(frame.readInt32BE(4)).toBe(9);
    expect(frame[10]).toBe(2); // compact array of one element
    const decoded = decodeResponse(18, 3, frame.subarray(4));
    expect(decoded.body['finalizedFeaturesEpoch']).toBe(5);
    expect(decoded.body['supportedFeatures']).toEqual(body.supportedFeatures);
    expect(decoded.body['zkMigrationReady']).toBe(false);
  });

  it('reads uuids as strings and writes strings or 16-byte buffers, and nullable structs with a marker', () => {
    const topicId = '0123abcd-0000-4000-8000-00000000beef';
    const body = {
      memberId: 'm1',
      memberEpoch: 3,
      heartbeatIntervalMs: 5000,
      assignment: { error: 0, assignedTopicPartitions: [{ topicId, partitions: [0, 2] }] },
    };
    const frame = encodeResponse(76, 0, 1, body);
    const decoded = decodeResponse(76, 0, frame.subarray(4)).body;
    // v1's TopicPartitions is not in version 0: it decodes to its default.
    expect(decoded['assignment']).toEqual({ ...body.assignment, topicPartitions: [] });
    const none = decodeResponse(76, 0, encodeResponse(76, 0, 1, { ...body, assignment: null }).subarray(4)).body;
    expect(none['assignment']).toBeNull();
    const fromBytes = encodeResponse(76, 0, 1, {
      ...body,
      assignment: {
        error: 0,
        assignedTopicPartitions: [{ topicId: Buffer.from(topicId.replace(/-/g, ''), 'hex'), partitions: [0, 2] }],
      },
    });
    expect(fromBytes).toEqual(frame);
  });

  it('resolves commonStructs by name', () => {
    const group = {
      groupId: 'g',
      groupState: 'Stable',
      members: [
        {
          memberId: 'm',
          clientId: 'c',
          clientHost: 'h',
          subscribedTopicNames: ['t'],
          assignment: {
            topicPartitions: [{ topicId: '00000000-0000-0000-0000-000000000001', topicName: 't', partitions: [1] }],
          },
        },
      ],
    };
    const decoded = decodeResponse(77, 1, encodeResponse(77, 1, 1, { groups: [group] }).subarray(4)).body;
    const members = (decoded['groups'] as Array<Record<string, unknown>>)[0]!['members'] as Array<
      Record<string, unknown>
    >;
    expect(members[0]!['assignment']).toEqual(group.members[0]!.assignment);
  });

  it('refuses truncated frames, impossible counts and nulls where the schema allows none', () => {
    const frame = encodeRequest(header(0, 7), {
      acks: -1,
      timeoutMs: 1000,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, records: Buffer.from('abc') }] }],
    }).subarray(4);
    for (let cut = 0; cut < frame.length; cut++) {
      expect(() => decodeRequest(frame.subarray(0, cut))).toThrow(KafkaCodecError);
    }
    const huge = Buffer.from(frame);
    huge.writeInt32BE(0x7fffffff, frame.length - 3 - 4 - 4 - 4 - 2 - 1); // the topics count
    expect(() => decodeRequest(huge)).toThrow(KafkaCodecError);
    expect(() => encodeResponse(3, 1, 1, { brokers: null })).toThrow(KafkaCodecError);
  });

  it('computes CRC-32C (the Castagnoli check value)', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('splits a stream into frames across chunk boundaries and refuses oversized ones', () => {
    const reader = new FrameReader(100);
    const a = encodeRequest(header(18, 0), {});
    const b = encodeRequest(header(18, 1), {});
    const stream = Buffer.concat([a, b]);
    const frames = [
      ...reader.push(stream.subarray(0, 3)),
      ...reader.push(stream.subarray(3, 20)),
      ...reader.push(stream.subarray(20)),
    ];
    expect(frames).toEqual([a.subarray(4), b.subarray(4)]);
    expect(() => new FrameReader(100).push(Buffer.from([0, 0, 1, 0]))).toThrow(KafkaCodecError);
    expect(() => new FrameReader(100).push(Buffer.from([0xff, 0, 0, 0]))).toThrow(KafkaCodecError);
  });

  it('writes and reads zig-zag varints and varlongs', () => {
    const writer = new ByteWriter();
    const values = [0, -1, 1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)];
    for (const value of values) writer.varint(value);
    const longs = [0, -1, 1_700_000_000_000, -(2 ** 40), 2 ** 52];
    for (const value of longs) writer.varlong(value);
    const reader = new ByteReader(writer.result());
    expect(values.map(() => reader.varint())).toEqual(values);
    expect(longs.map(() => reader.varlong())).toEqual(longs);
  });

  it('keeps every write when the buffer grows in the middle of one (a small writer, a large message)', () => {
    const writer = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) {
      writer.int32(i);
      writer.varint(-(i + 1));
      writer.int64(i * 1000);
      writer.int8(i % 100);
    }
    const reader = new ByteReader(writer.result());
    for (let i = 0; i < 1000; i++) {
      expect([reader.int32(), reader.varint(), reader.int64(), reader.int8()]).toEqual([
        i,
        -(i + 1),
        i * 1000,
        i % 100,
      ]);
    }
  });
});
