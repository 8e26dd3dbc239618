import { Operation } from '../../security/domain/acl.js';
import { KafkaApi, KafkaError } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { KafkaAuthorizer } from '../kafka-authorizer.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { KafkaTransactions, txnErrorCode } from '../transactions/kafka-transactions.service.js';
import { txnGroupError } from '../transactions/txn-topics.js';

/** The fields of AddOffsetsToTxnRequest.json the handler reads, and of AddOffsetsToTxnResponse.json it answers. */
type Request = { transactionalId: string; producerId: number; producerEpoch: number; groupId: string };
type Response = KafkaAnswer<{ throttleTimeMs: number; errorCode: number }>;

/**
 * AddOffsetsToTxn (25): the producer is checked and its transaction is open from now; the
 * principal must be allowed to consume as the group. The offsets themselves come with
 * TxnOffsetCommit and are committed with the transaction's records at EndTxn.
 */
@KafkaApi({ apiKey: 25, name: 'AddOffsetsToTxn', minVersion: 0, maxVersion: 3 })
export class AddOffsetsToTxnHandler implements KafkaApiHandler<Request, Response> {
  constructor(
    private readonly transactions: KafkaTransactions,
    private readonly authorizer: KafkaAuthorizer,
  ) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    const invalid = txnGroupError(request.groupId);
    if (invalid !== KafkaError.NONE) return { throttleTimeMs: 0, errorCode: invalid };
    if (!(await this.authorizer.group(context, request.groupId, Operation.Consume)))
      return { throttleTimeMs: 0, errorCode: KafkaError.GROUP_AUTHORIZATION_FAILED };
    try {
      const error = await this.transactions.begin({ ...request, principal: context.principal });
      return { throttleTimeMs: 0, errorCode: txnErrorCode(error, version, 2) };
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorOf(error).errorCode };
    }
  }
}
