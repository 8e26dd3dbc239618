export * from './client/shoal-record.builder.js';
export * from './client/shoal.client.js';
export * from './ctx-host/shoal.context.js';
export * from './errors/shoal-reject.exception.js';
export * from './errors/shoal-retriable.exception.js';
export * from './server/shoal.server.js';
export * from './shoal-transport.options.js';
export * from './module/index.js';
