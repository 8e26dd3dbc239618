import { Operation } from '../../security/domain/acl.js';
import { TopicService } from '../../log/topic.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';

/** The fields of DeleteTopicsRequest.json the handler reads, and of DeleteTopicsResponse.json it answers. */
type Request = { topics: { name: string | null }[]; topicNames: string[] };
type Response = KafkaAnswer<{ throttleTimeMs: number; responses: { name: string; errorCode: number }[] }>;

/** DeleteTopics (20): through `TopicService.delete` (gone at once, records purged in the background). */
@KafkaApi({ apiKey: 20, name: 'DeleteTopics', minVersion: 1, maxVersion: 4 })
export class DeleteTopicsHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly topics: TopicService,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const responses = [];
    for (const name of request.topicNames) {
      let errorCode: number = KafkaError.NONE;
      if (!(await this.authorizer.topic(context, name, Operation.Admin)))
        errorCode = KafkaError.TOPIC_AUTHORIZATION_FAILED;
      else await this.topics.delete(name).catch((error: unknown) => (errorCode = kafkaErrorOf(error).errorCode));
      responses.push({ name, errorCode });
    }
    return { throttleTimeMs: 0, responses };
  }
}
