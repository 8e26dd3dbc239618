import { Operation } from '../../security/domain/acl.js';
import { PartitionReader } from '../../log/partition-reader.js';
import { ReadService } from '../../log/read.service.js';
import { TopicService } from '../../log/topic.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/** The fields of ListOffsetsRequest.json the handler reads, and of ListOffsetsResponse.json it answers. */
type Request = { topics: { name: string; partitions: { partitionIndex: number; timestamp: number }[] }[] };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  topics: {
    name: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      oldStyleOffsets: (number | bigint)[];
      timestamp: number | bigint;
      offset: number | bigint;
      leaderEpoch: number;
    }[];
  }[];
}>;

const LATEST = -1;
const EARLIEST = -2;

/**
 * ListOffsets (2): latest (-1) is the end offset, earliest (-2) the start offset, a time the
 * first record at or after it (`ReadService.offsetForTimestamp`) with its timestamp, or -1 when
 * none is that late — as Kafka answers.
 */
@KafkaApi({ apiKey: 2, name: 'ListOffsets', minVersion: 0, maxVersion: 7 })
export class ListOffsetsHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly topics: TopicService,
    private readonly reads: ReadService,
    private readonly reader: PartitionReader,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const asked = request.topics;
    const topics = [];
    for (const topic of asked) {
      const allowed = await this.authorizer.topic(context, topic.name, Operation.Read);
      const partitions = [];
      for (const p of topic.partitions) {
        const found = allowed
          ? await this.offsetOf(topic.name, p).catch((error: unknown) => ({
              errorCode: kafkaErrorOf(error).errorCode,
              offset: -1,
              timestamp: -1,
            }))
          : { errorCode: KafkaError.TOPIC_AUTHORIZATION_FAILED, offset: -1, timestamp: -1 };
        partitions.push({
          partitionIndex: p.partitionIndex,
          ...found,
          oldStyleOffsets: version === 0 && found.offset >= 0 ? [found.offset] : [],
          leaderEpoch: 0,
        });
      }
      topics.push({ name: topic.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  }

  private async offsetOf(
    topic: string,
    p: Request['topics'][number]['partitions'][number],
  ): Promise<{ errorCode: number; offset: number; timestamp: number }> {
    if (p.timestamp === LATEST || p.timestamp === EARLIEST) {
      const window = (await this.topics.describe(topic)).partitions.find((w) => w.partition === p.partitionIndex);
      if (!window) return { errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, offset: -1, timestamp: -1 };
      const offset = p.timestamp === LATEST ? window.endOffset : window.startOffset;
      return { errorCode: KafkaError.NONE, offset, timestamp: -1 };
    }
    if (p.timestamp < 0) return { errorCode: KafkaError.INVALID_REQUEST, offset: -1, timestamp: -1 };
    const { offset } = await this.reads.offsetForTimestamp(topic, p.partitionIndex, p.timestamp);
    const found = await this.reader.read(topic, p.partitionIndex, offset, 1, 1);
    const record = found.records[0];
    if (!record) return { errorCode: KafkaError.NONE, offset: -1, timestamp: -1 };
    return { errorCode: KafkaError.NONE, offset: record.offset, timestamp: record.timestamp };
  }
}
