import { KafkaApi, KafkaError, type KafkaApiHandler, type KafkaAnswer } from '../kafka-api.js';

/** The fields of ApiVersionsRequest.json the handler reads, and of ApiVersionsResponse.json it answers. */
type Request = unknown;
type Response = KafkaAnswer<{
  errorCode: number;
  apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  throttleTimeMs: number;
  supportedFeatures: { name: string; minVersion: number; maxVersion: number }[];
  finalizedFeaturesEpoch: number | bigint;
  finalizedFeatures: { name: string; maxVersionLevel: number; minVersionLevel: number }[];
  zkMigrationReady: boolean;
}>;

export interface SupportedApi {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** ApiVersions (18): the APIs and versions of the handlers registered, itself included. */
@KafkaApi({ apiKey: 18, name: 'ApiVersions', minVersion: 0, maxVersion: 3 })
export class ApiVersionsHandler implements KafkaApiHandler<Request, Response> {
  constructor(private readonly supported: () => SupportedApi[]) {}

  handle(): Promise<Response> {
    return Promise.resolve(this.answer(KafkaError.NONE));
  }

  /** Also the answer to a too-new ApiVersions request (sent at version 0, as Kafka does). */
  answer(errorCode: number): Response {
    const apiKeys = this.supported().map((api) => ({
      apiKey: api.apiKey,
      minVersion: api.minVersion,
      maxVersion: api.maxVersion,
    }));
    return { errorCode, apiKeys, throttleTimeMs: 0 };
  }
}
