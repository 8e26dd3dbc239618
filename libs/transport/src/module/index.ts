export * from './inject-shoal-client.decorator.js';
export * from './shoal.constants.js';
export * from './shoal.module.js';
export * from './shoal-module.options.js';
