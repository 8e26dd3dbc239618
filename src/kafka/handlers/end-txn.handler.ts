import { KafkaApi } from '../kafka-api.js';
import type { KafkaApiHandler, KafkaRequestContext, KafkaAnswer } from '../kafka-api.js';
import { kafkaErrorOf } from '../kafka-errors.js';
import { KafkaTransactions, txnErrorCode } from '../transactions/kafka-transactions.service.js';

/** The fields of EndTxnRequest.json the handler reads, and of EndTxnResponse.json it answers. */
type Request = { transactionalId: string; producerId: number; producerEpoch: number; committed: boolean };
type Response = KafkaAnswer<{ throttleTimeMs: number; errorCode: number }>;

/**
 * EndTxn (26): commit appends the transaction's records to the log and commits its group
 * offsets in one database transaction, answered once that is on disk; abort forgets them.
 */
@KafkaApi({ apiKey: 26, name: 'EndTxn', minVersion: 0, maxVersion: 3 })
export class EndTxnHandler implements KafkaApiHandler<Request, Response> {
  constructor(private readonly transactions: KafkaTransactions) {}

  async handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response> {
    try {
      const error = await this.transactions.end({ ...request, principal: context.principal }, request.committed);
      return { throttleTimeMs: 0, errorCode: txnErrorCode(error, version, 2) };
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: kafkaErrorOf(error).errorCode };
    }
  }
}
