export * from './shoal-api.error.js';
export * from './shoal-client.js';
