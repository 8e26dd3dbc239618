export * from './error-code.js';
export * from './limits.js';
export * from './schema.js';
export * from './json-schema.js';
export * from './record.js';
export * from './topic.js';
export * from './consumer-group.js';
export * from './share-group.js';
export * from './operations.js';
export * from './schedule.js';
export * from './security.js';
export * from './routes.js';
export * from './job.js';
//# sourceMappingURL=index.js.map