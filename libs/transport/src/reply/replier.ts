import type { Logger } from '@nestjs/common';
import { type MessageHandler, RpcException } from '@nestjs/microservices';
import { ShoalApiError } from '@shoal/client';
import { ErrorCode } from '@shoal/protocol';
import { lastValueFrom, type Observable } from 'rxjs';
import { ShoalClient } from '../client/shoal.client.js';
import { ShoalRecord } from '../client/shoal-record.builder.js';
import type { ShoalContext } from '../ctx-host/shoal.context.js';
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
 * share mode is not answered but released, to be run again. The request's record is settled
 * only once its replies are durable, so a worker that dies first leaves it to be run again.
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
    if (handler.isEventHandler) {
      // As Nest's transports answer a request to a pattern only events are handled on.
      return replies.end({ status: 'error', message: NO_MESSAGE_HANDLER });
    }
    const failure = await this.run(handler, data, context, replies);
    if (failure === undefined) return replies.end();
    const error = context.failure ?? failure.error;
    const share = context.getArgByIndex(1) !== null;
    if (share && error instanceof ShoalRetriableException) throw error;
    await replies.end(rpcError(error));
    if (share) context.reject(failureReason(error));
  }

  /** Closes the reply producer (after the workers stopped). */
  async close(): Promise<void> {
    await this.producer?.close();
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
 * One request's replies, in order: each value is held until the next one (or the end) comes,
 * so a single answer is one record carrying `isDisposed`.
 */
class Replies {
  private seq = 0;
  private held: { response: unknown } | undefined;
  private readonly sent: Promise<unknown>[] = [];

  constructor(
    private readonly producer: ShoalClient,
    private readonly address: ReplyAddress,
    private readonly logger: Logger,
  ) {}

  value(response: unknown): void {
    if (this.held) this.push({ response: this.held.response });
    this.held = { response };
  }

  /** Sends the last replies (`err` if given) and waits until every reply is durable. */
  async end(err?: unknown): Promise<void> {
    const held = this.held;
    this.held = undefined;
    if (err !== undefined) {
      if (held) this.push({ response: held.response });
      this.push({ err, isDisposed: true });
    } else this.push(held ? { response: held.response, isDisposed: true } : { isDisposed: true });
    const outcomes = await Promise.allSettled(this.sent);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (!failed) return;
    const error: unknown = failed.reason;
    if (error instanceof ShoalApiError && error.code === ErrorCode.UnknownTopic) {
      // The client closed (its reply topic deleted): nobody waits for this answer.
      this.logger.debug?.(`reply topic ${this.address.replyTo} is gone: answer dropped`);
      return;
    }
    throw error;
  }

  private push(packet: ReplyPacket): void {
    const headers = { [CORRELATION_ID_HEADER]: this.address.correlationId, [REPLY_SEQ_HEADER]: String(this.seq++) };
    const record = new ShoalRecord(packet, null, headers);
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
