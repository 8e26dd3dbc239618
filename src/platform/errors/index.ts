export * from './shoal.error.js';
export * from './lookup.errors.js';
export * from './group.errors.js';
export * from './security.errors.js';
export * from './job.errors.js';
export * from './storage.errors.js';
