import { MAX_PARTITIONS, MIN_PARTITIONS, NAME_PATTERN, type TopicConfig } from '@shoal/protocol';
import { TopicService } from '../../log/topic.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer, type TopicOutcome } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/** The fields of CreateTopicsRequest.json the handler reads, and of CreateTopicsResponse.json it answers. */
type Request = {
  topics: {
    name: string;
    numPartitions: number;
    replicationFactor: number;
    assignments: unknown[];
    configs: { name: string; value: string | null }[];
  }[];
  validateOnly: boolean;
};
type Response = KafkaAnswer<{ throttleTimeMs: number; topics: ({ name: string } & TopicOutcome)[] }>;

type CreatableTopic = Request['topics'][number];

/** Kafka topic configs Shoal keeps, and the topic config field each sets; -1 means none. */
const CONFIGS: Record<string, 'retentionMs' | 'retentionBytes'> = {
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
};

/**
 * CreateTopics (19): through `TopicService.create` (quotas included). One copy of each
 * partition: a replication factor is accepted and ignored, manual assignments are refused.
 * `retention.ms` and `retention.bytes` are kept; other configs are INVALID_CONFIG. -1
 * partitions means one.
 */
@KafkaApi({ apiKey: 19, name: 'CreateTopics', minVersion: 0, maxVersion: 3 })
export class CreateTopicsHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly topics: TopicService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const validateOnly = request.validateOnly === true;
    const topics = await this.authorizer.eachAdminTopic(context, request.topics, (t) => this.create(t, validateOnly));
    return { throttleTimeMs: 0, topics };
  }

  private async create(topic: CreatableTopic, validateOnly: boolean): Promise<TopicOutcome> {
    const invalid = checkTopic(topic);
    if (invalid) return invalid;
    const config: Partial<TopicConfig> = {};
    for (const { name, value } of topic.configs) {
      const field = CONFIGS[name];
      const number = Number(value);
      if (!field || value === null || !Number.isSafeInteger(number) || number === 0 || number < -1)
        return { errorCode: KafkaError.INVALID_CONFIG, errorMessage: `config ${name}=${value} is not supported` };
      config[field] = number === -1 ? null : number;
    }
    if (validateOnly) return { errorCode: KafkaError.NONE, errorMessage: null };
    try {
      await this.topics.create(topic.name, topic.numPartitions === -1 ? 1 : topic.numPartitions, config);
      return { errorCode: KafkaError.NONE, errorMessage: null };
    } catch (error) {
      return kafkaErrorOf(error);
    }
  }
}

function checkTopic(topic: CreatableTopic): TopicOutcome | null {
  if (!NAME_PATTERN.test(topic.name))
    return {
      errorCode: KafkaError.INVALID_TOPIC_EXCEPTION,
      errorMessage: `topic name must match ${NAME_PATTERN.source}`,
    };
  if (topic.assignments.length > 0)
    return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'manual replica assignments are not supported' };
  const partitions = topic.numPartitions;
  if (partitions !== -1 && (partitions < MIN_PARTITIONS || partitions > MAX_PARTITIONS))
    return {
      errorCode: KafkaError.INVALID_PARTITIONS,
      errorMessage: `partitions must be ${MIN_PARTITIONS} to ${MAX_PARTITIONS}`,
    };
  if (topic.replicationFactor === 0 || topic.replicationFactor < -1)
    return {
      errorCode: KafkaError.INVALID_REPLICATION_FACTOR,
      errorMessage: 'replication factor must be positive or -1',
    };
  return null;
}
