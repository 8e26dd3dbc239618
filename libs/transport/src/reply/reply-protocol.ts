import type { WritePacket } from '@nestjs/microservices';

/** A request's header: the id its replies carry back. */
export const CORRELATION_ID_HEADER = 'shoal.correlation-id';
/** A request's header: the topic its replies go to (the sending client's reply topic). */
export const REPLY_TO_HEADER = 'shoal.reply-to';
/**
 * A reply's header: its place among the request's replies (0, 1, …). A request handled twice
 * (redelivered after a worker crash) is answered twice; the client keeps each place once.
 */
export const REPLY_SEQ_HEADER = 'shoal.reply-seq';

/** What a reply record's value holds: Nest's `WritePacket` as JSON. */
export type ReplyPacket = Pick<WritePacket, 'err' | 'response' | 'isDisposed'>;

/** Nest's answer to a request no message handler takes (an `@EventPattern` topic). */
export const NO_MESSAGE_HANDLER = 'There is no matching message handler defined in the remote service.';

/** The defaults of {@link ShoalClientOptions} request/reply settings. */
export const DEFAULT_REPLY_TIMEOUT_MS = 30_000;
export const DEFAULT_REPLY_RETENTION_MS = 60_000;
export const DEFAULT_REPLY_TOPIC_IDLE_MS = 600_000;
export const DEFAULT_REPLY_TOPIC_PREFIX = 'shoal.replies';
