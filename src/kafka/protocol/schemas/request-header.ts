import type { MessageSchema } from '../message-schema.js';

export const RequestHeader = {
  type: 'header',
  name: 'RequestHeader',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'RequestApiKey', type: 'int16', versions: '0+' },
    { name: 'RequestApiVersion', type: 'int16', versions: '0+' },
    { name: 'CorrelationId', type: 'int32', versions: '0+' },
    { name: 'ClientId', type: 'string', versions: '1+', nullableVersions: '1+', flexibleVersions: 'none' },
  ],
} as const satisfies MessageSchema;

export const ResponseHeader = {
  type: 'header',
  name: 'ResponseHeader',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [{ name: 'CorrelationId', type: 'int32', versions: '0+' }],
} as const satisfies MessageSchema;
