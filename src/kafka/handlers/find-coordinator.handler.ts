import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';

/** The fields of FindCoordinatorRequest.json the handler reads, and of FindCoordinatorResponse.json it answers. */
type Request = { key: string; keyType: number; coordinatorKeys: string[] };
type Response = KafkaAnswer<{
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}>;

/** FindCoordinator key types: consumer groups (0), transactions (1), share-state (2). */
const TRANSACTION = 1;

/**
 * FindCoordinator (10): the broker answering coordinates every group — all group state lives
 * in the database, so any broker on it can run any group's joins and commits. Transactions
 * are not offered (COORDINATOR_NOT_AVAILABLE).
 */
@KafkaApi({ apiKey: 10, name: 'FindCoordinator', minVersion: 0, maxVersion: 2 })
export class FindCoordinatorHandler implements KafkaApiHandler<Request, Response> {
  handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const keyType = request.keyType;
    const errorCode = keyType === TRANSACTION ? KafkaError.COORDINATOR_NOT_AVAILABLE : KafkaError.NONE;
    const self = {
      errorCode,
      errorMessage: errorCode === KafkaError.NONE ? null : 'transactions are not offered',
      nodeId: errorCode === KafkaError.NONE ? context.nodeId : -1,
      host: errorCode === KafkaError.NONE ? context.advertisedHost : '',
      port: errorCode === KafkaError.NONE ? context.advertisedPort : -1,
    };
    const keys = version >= 4 ? request.coordinatorKeys : [];
    return Promise.resolve({
      throttleTimeMs: 0,
      ...self,
      coordinators: keys.map((key) => ({ key, ...self })),
    });
  }
}
