import { MAX_PARTITIONS } from '@shoal/protocol';
import { TopicService } from '../../log/topic.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer, type TopicOutcome } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/** The fields of CreatePartitionsRequest.json the handler reads, and of CreatePartitionsResponse.json it answers. */
type Request = { topics: { name: string; count: number; assignments: unknown[] | null }[]; validateOnly: boolean };
type Response = KafkaAnswer<{ throttleTimeMs: number; results: ({ name: string } & TopicOutcome)[] }>;

/** CreatePartitions (37): grows a topic through `TopicService.update` (never shrinks; quotas apply). */
@KafkaApi({ apiKey: 37, name: 'CreatePartitions', minVersion: 0, maxVersion: 1 })
export class CreatePartitionsHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly topics: TopicService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const validateOnly = request.validateOnly === true;
    const results = await this.authorizer.eachAdminTopic(context, request.topics, (t) => this.grow(t, validateOnly));
    return { throttleTimeMs: 0, results };
  }

  private async grow(topic: Request['topics'][number], validateOnly: boolean): Promise<TopicOutcome> {
    if (topic.assignments !== null && topic.assignments.length > 0)
      return { errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'manual replica assignments are not supported' };
    if (topic.count > MAX_PARTITIONS)
      return { errorCode: KafkaError.INVALID_PARTITIONS, errorMessage: `at most ${MAX_PARTITIONS} partitions` };
    try {
      const current = await this.topics.describe(topic.name);
      if (topic.count <= current.partitions.length)
        return {
          errorCode: KafkaError.INVALID_PARTITIONS,
          errorMessage: `topic has ${current.partitions.length} partitions`,
        };
      if (!validateOnly) await this.topics.update(topic.name, { partitions: topic.count });
      return { errorCode: KafkaError.NONE, errorMessage: null };
    } catch (error) {
      return kafkaErrorOf(error);
    }
  }
}
