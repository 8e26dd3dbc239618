export * from './shoal-api.error.js';
export * from './shoal-http-client.js';
