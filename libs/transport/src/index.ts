export * from './client/shoal-record.builder.js';
export * from './client/shoal.client.js';
export * from './ctx-host/shoal.context.js';
export * from './errors/shoal-reject.exception.js';
export * from './errors/shoal-retriable.exception.js';
export * from './server/shoal.server.js';
export * from './shoal-transport.options.js';
export * from './ctx-host/shoal-failure.interceptor.js';
export * from './module/index.js';
export * from './server/shoal-processor.decorator.js';
export { MAX_RELEASE_DELAY_MS } from './server/worker-helpers.js';
export * from './errors/shoal-reply-timeout.error.js';
export {
  CORRELATION_ID_HEADER,
  REPLY_SEQ_HEADER,
  REPLY_TO_HEADER,
  type ReplyPacket,
} from './reply/reply-protocol.js';
