import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaSessions } from '../kafka-sessions.js';

/** The fields of SaslHandshakeRequest.json the handler reads, and of SaslHandshakeResponse.json it answers. */
type Request = { mechanism: string };
type Response = KafkaAnswer<{ errorCode: number; mechanisms: string[] }>;

/** SaslHandshake (17), version 1 only (the token then comes in SaslAuthenticate): PLAIN. */
@KafkaApi({ apiKey: 17, name: 'SaslHandshake', minVersion: 1, maxVersion: 1 })
export class SaslHandshakeHandler implements KafkaApiHandler<Request, Response> {
  constructor(private readonly sessions: KafkaSessions) {}

  handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const mechanism = request.mechanism;
    const session = this.sessions.get(context.connectionId);
    if (mechanism !== 'PLAIN' || !session)
      return Promise.resolve({ errorCode: KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN'] });
    session.mechanism = mechanism;
    return Promise.resolve({ errorCode: KafkaError.NONE, mechanisms: ['PLAIN'] });
  }
}
