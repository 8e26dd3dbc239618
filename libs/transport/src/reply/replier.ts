import type { Logger } from '@nestjs/common';
import { type MessageHandler, RpcException } from '@nestjs/microservices';
import { ShoalApiError } from '@shoal/client';
import { ErrorCode, type ProduceBatch } from '@shoal/protocol';
import { lastValueFrom, type Observable } from 'rxjs';
import { ShoalClient } from '../client/shoal.client.js';
import { ShoalRecord } from '../client/shoal-record.builder.js';
import type { ShoalContext } from '../ctx-host/shoal.context.js';
import { ShoalRejectException } from '../errors/shoal-reject.exception.js';
import { ShoalRetriableException } from '../errors/shoal-retriable.exception.js';
import { failureReason } from '../server/worker-helpers.js';
import type { ShoalConnectionOptions } from '../shoal-transport.options.js';
import {
  CORRELATION_ID_HEADER,
  NO_MESSAGE_HANDLER,
  REPLY_SEQ_HEADER,
  REPLY_TO_HEADER,
  type ReplyPacket,
} from './reply-protocol.js';

/** A request's address: where its replies go and the id they carry. */
export interface ReplyAddress {
  replyTo: string;
  correlationId: string;
}

/** The reply address of a record sent with `ShoalClient.send`, or undefined for an emitted one. */
export function replyAddress(headers: Record<string, string>): ReplyAddress | undefined {
  const replyTo = headers[REPLY_TO_HEADER];
  const correlationId = headers[CORRELATION_ID_HEADER];
  return replyTo && correlationId ? { replyTo, correlationId } : undefined;
}

/**
 * Answers requests: runs a `@MessagePattern` handler and produces what it returns (a value, a
 * Promise, or each value of an Observable) to the request's reply topic, each reply with the
 * request's correlation id and its place, the last one `isDisposed` — Nest's `WritePacket`s.
 * An error becomes a final `err` reply in `RpcException` shape (`{ status: 'error', message }`)
 * and, in share mode, a reject with the message as reason; a `ShoalRetriableException` in
 * share mode is not answered but released, to be run again.
 *
 * In share mode the last reply rides on the request's accept (or reject) as its `produce`: one
 * broker transaction appends the reply and settles the request, sent at once (see
 * `Settlement`), so a reply stands if and only if its request was settled by this run — a run
 * whose lock ran out answers nothing, the run that settles it answers. Earlier values of an
 * Observable go as they come and are durable before the last one is sent. In consumer mode
 * (and for a record its handler settled by hand) every reply is produced on its own, and the
 * record is settled only once they are durable, so a worker that dies first leaves it to be
 * run again.
 */
export class Replier {
  private producer: ShoalClient | undefined;

  constructor(
    private readonly connection: ShoalConnectionOptions,
    private readonly logger: Logger,
    private readonly toObservable: (result: unknown) => Observable<unknown>,
  ) {}

  async answer(handler: MessageHandler, data: unknown, context: ShoalContext, address: ReplyAddress): Promise<void> {
    const replies = new Replies(this.client(), address, this.logger);
    const share = context.getArgByIndex(1) !== null;
    if (handler.isEventHandler) {
      // As Nest's transports answer a request to a pattern only events are handled on.
      return this.finish(replies, replies.last({ status: 'error', message: NO_MESSAGE_HANDLER }), context, share);
    }
    const failure = await this.run(handler, data, context, replies);
    if (failure === undefined) return this.finish(replies, replies.last(), context, share);
    const error = context.failure ?? failure.error;
    if (share && error instanceof ShoalRetriableException) throw error;
    const last = replies.last(rpcError(error));
    if (!share || context.settledByHand) {
      await replies.send(last);
      if (share) context.reject(failureReason(error)); // settled by hand already: a no-op
      return;
    }
    if (!(await replies.durable())) throw rejectWith(context, error, []);
    throw rejectWith(context, error, [{ topic: address.replyTo, records: [last.toProduceRecord()] }]);
  }

  /** Closes the reply producer (after the workers stopped). */
  async close(): Promise<void> {
    await this.producer?.close();
  }

  /** A handler's last reply: with the accept in share mode (unless settled by hand), else on its own. */
  private async finish(replies: Replies, last: ShoalRecord, context: ShoalContext, share: boolean): Promise<void> {
    if (!share || context.settledByHand) return replies.send(last);
    if (await replies.durable()) context.produce(replies.address.replyTo, last.toProduceRecord());
  }

  /** Runs the handler, handing each value to `replies`; answers its error, if it failed. */
  private async run(
    handler: MessageHandler,
    data: unknown,
    context: ShoalContext,
    replies: Replies,
  ): Promise<{ error: unknown } | undefined> {
    let stream: Observable<unknown>;
    try {
      stream = this.toObservable(await handler(data, context));
    } catch (error) {
      return { error };
    }
    return new Promise((resolve) => {
      stream.subscribe({
        next: (value) => replies.value(value),
        error: (error: unknown) => resolve({ error }),
        complete: () => resolve(undefined),
      });
    });
  }

  private client(): ShoalClient {
    // No autoCreateTopics: a reply topic that is gone belongs to a client that is gone.
    const { url, apiKey, ca, retry } = this.connection;
    this.producer ??= new ShoalClient({ url, apiKey, ca, retry });
    return this.producer;
  }
}

/**
 * The reject of a request whose handler failed, carrying its error reply (share mode). Kept as
 * the context's failure, so the worker rejects (rather than releases) with the error's message.
 */
function rejectWith(context: ShoalContext, error: unknown, produce: ProduceBatch[]): ShoalRejectException {
  const reject = new ShoalRejectException(failureReason(error), { produce });
  context.failure = reject;
  return reject;
}

/**
 * One request's replies, in order: each value is held until the next one (or the end) comes,
 * so a single answer is one record carrying `isDisposed`.
 */
class Replies {
  private seq = 0;
  private held: { response: unknown } | undefined;
  private readonly sent: Promise<unknown>[] = [];

  constructor(
    private readonly producer: ShoalClient,
    readonly address: ReplyAddress,
    private readonly logger: Logger,
  ) {}

  value(response: unknown): void {
    if (this.held) this.push(this.record({ response: this.held.response }));
    this.held = { response };
  }

  /** The last reply's record (`err` if given, after the held value, which is sent now). */
  last(err?: unknown): ShoalRecord {
    const held = this.held;
    this.held = undefined;
    if (err === undefined)
      return this.record(held ? { response: held.response, isDisposed: true } : { isDisposed: true });
    if (held) this.push(this.record({ response: held.response }));
    return this.record({ err, isDisposed: true });
  }

  /** Sends `last` on its own and waits until every reply is durable. */
  async send(last: ShoalRecord): Promise<void> {
    this.push(last);
    await this.durable();
  }

  /**
   * Waits until every reply sent so far is durable; false when the reply topic is gone (the
   * client closed: nobody waits for the answer).
   */
  async durable(): Promise<boolean> {
    const outcomes = await Promise.allSettled(this.sent);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (!failed) return true;
    const error: unknown = failed.reason;
    if (error instanceof ShoalApiError && error.code === ErrorCode.UnknownTopic) {
      this.logger.debug?.(`reply topic ${this.address.replyTo} is gone: answer dropped`);
      return false;
    }
    throw error;
  }

  private record(packet: ReplyPacket): ShoalRecord {
    const headers = { [CORRELATION_ID_HEADER]: this.address.correlationId, [REPLY_SEQ_HEADER]: String(this.seq++) };
    return new ShoalRecord(packet, null, headers);
  }

  private push(record: ShoalRecord): void {
    this.sent.push(lastValueFrom(this.producer.emit(this.address.replyTo, record)));
  }
}

/** A handler's error as Nest's RPC exception filter shapes it, with the error's own message. */
function rpcError(error: unknown): unknown {
  if (error instanceof RpcException) {
    const given = error.getError();
    if (given instanceof Error) return { status: 'error', message: given.message };
    return typeof given === 'object' && given !== null ? given : { status: 'error', message: given };
  }
  if (error instanceof Error) return { status: 'error', message: error.message };
  return error;
}
