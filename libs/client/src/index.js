export * from './shoal-api.error.js';
export * from './shoal-connection.error.js';
export * from './shoal-http-client.js';
//# sourceMappingURL=index.js.map