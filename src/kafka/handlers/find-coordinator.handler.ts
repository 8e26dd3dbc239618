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
const SHARE_STATE = 2;

/**
 * FindCoordinator (10): the broker answering coordinates every group and every transactional
 * id — all group and transaction state lives in the database, so any broker on it can run any
 * group's joins and commits and any transaction. Share-state keys (broker-internal) are
 * COORDINATOR_NOT_AVAILABLE.
 */
@KafkaApi({ apiKey: 10, name: 'FindCoordinator', minVersion: 0, maxVersion: 2 })
export class FindCoordinatorHandler implements KafkaApiHandler<Request, Response> {
  handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const keyType = request.keyType;
    const errorCode = keyType === SHARE_STATE ? KafkaError.COORDINATOR_NOT_AVAILABLE : KafkaError.NONE;
    const self = {
      errorCode,
      errorMessage: errorCode === KafkaError.NONE ? null : 'share-state coordinators are not offered',
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
