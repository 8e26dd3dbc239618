import { Injectable } from '@nestjs/common';
import { type KafkaApiHandler, KafkaError, type KafkaRequestContext } from '../kafka-api.js';
import { KafkaSessions } from '../kafka-sessions.js';

/** SaslHandshake (17), version 1 only (the token then comes in SaslAuthenticate): PLAIN. */
@Injectable()
export class SaslHandshakeHandler implements KafkaApiHandler {
  readonly apiKey = 17;
  readonly name = 'SaslHandshake';
  readonly minVersion = 1;
  readonly maxVersion = 1;

  constructor(private readonly sessions: KafkaSessions) {}

  handle(request: Record<string, unknown>, _version: number, context: KafkaRequestContext) {
    const mechanism = String(request['mechanism']);
    const session = this.sessions.get(context.connectionId);
    if (mechanism !== 'PLAIN' || !session)
      return Promise.resolve({ errorCode: KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN'] });
    session.mechanism = mechanism;
    return Promise.resolve({ errorCode: KafkaError.NONE, mechanisms: ['PLAIN'] });
  }
}
