export type { RetryMode, RetryOptions } from './http-transport.js';
export * from './shoal-api.error.js';
export * from './shoal-connection.error.js';
export * from './shoal-http-client.js';
export * from './client-options.js';
export * from './shoal-http-admin.js';
