export * from './error-code.js';
export * from './record.js';
export * from './topic.js';
export * from './consumer-group.js';
export * from './share-group.js';
export * from './operations.js';
export * from './schedule.js';
export * from './security.js';
