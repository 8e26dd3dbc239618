import { Logger } from '@nestjs/common';
import { ApiKeyService } from '../../security/api-key.service.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaSessions } from '../kafka-sessions.js';

/** The fields of SaslAuthenticateRequest.json the handler reads, and of SaslAuthenticateResponse.json it answers. */
type Request = { authBytes: Buffer };
type Response = KafkaAnswer<{
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number | bigint;
}>;

/**
 * SaslAuthenticate (36) with PLAIN: the username is the principal and the password its API
 * key, checked as the HTTP guard checks a bearer key. A failure is answered, then the
 * connection is closed (as Kafka does). The principal's ACLs are read once, here.
 */
@KafkaApi({ apiKey: 36, name: 'SaslAuthenticate', minVersion: 0, maxVersion: 2 })
export class SaslAuthenticateHandler implements KafkaApiHandler<Request, Response> {
  private readonly logger = new Logger(SaslAuthenticateHandler.name);

  constructor(
    private readonly sessions: KafkaSessions,
    private readonly keys: ApiKeyService,
  ) {}

  async handle(request: Request, _version: number, context: KafkaRequestContext): Promise<Response> {
    const session = this.sessions.get(context.connectionId);
    if (!session || session.mechanism !== 'PLAIN' || session.principal)
      return failed(KafkaError.ILLEGAL_SASL_STATE, 'SaslHandshake with PLAIN must come first, once');
    const parts = request.authBytes.toString('utf8').split('\u0000');
    if (parts.length !== 3) return failed(KafkaError.SASL_AUTHENTICATION_FAILED, 'malformed PLAIN token');
    const [, username, password] = parts as [string, string, string];
    const principal = await this.keys.authenticate(password);
    if (!principal || principal.name !== username) {
      this.logger.warn(`Kafka SASL/PLAIN authentication failed for ${JSON.stringify(username.slice(0, 100))}`);
      return failed(KafkaError.SASL_AUTHENTICATION_FAILED, 'unknown principal or API key');
    }
    session.principal = principal;
    return { errorCode: KafkaError.NONE, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
  }
}

function failed(errorCode: number, errorMessage: string) {
  return { errorCode, errorMessage, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
}
