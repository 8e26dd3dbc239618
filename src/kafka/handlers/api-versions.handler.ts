import { KafkaError, type KafkaApiHandler } from '../kafka-api.js';

export interface SupportedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** ApiVersions (18): the APIs and versions of the handlers registered, itself included. */
export class ApiVersionsHandler implements KafkaApiHandler {
  readonly apiKey = 18;
  readonly name = 'ApiVersions';
  readonly minVersion = 0;
  readonly maxVersion = 3;

  constructor(private readonly supported: () => SupportedApi[]) {}

  handle(): Promise<Record<string, unknown>> {
    return Promise.resolve(this.answer(KafkaError.NONE));
  }

  /** Also the answer to a too-new ApiVersions request (sent at version 0, as Kafka does). */
  answer(errorCode: number): Record<string, unknown> {
    const apiKeys = this.supported().map((api) => ({
      apiKey: api.apiKey,
      minVersion: api.minVersion,
      maxVersion: api.maxVersion,
    }));
    return { errorCode, apiKeys, throttleTimeMs: 0 };
  }
}
