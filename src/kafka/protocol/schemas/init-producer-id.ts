import type { MessageSchema } from '../message-schema.js';

export const InitProducerIdRequest = {
  apiKey: 22,
  type: 'request',
  name: 'InitProducerIdRequest',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'TransactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '3+', default: '-1' },
    { name: 'ProducerEpoch', type: 'int16', versions: '3+', default: '-1' },
  ],
} as const satisfies MessageSchema;

export const InitProducerIdResponse = {
  apiKey: 22,
  type: 'response',
  name: 'InitProducerIdResponse',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ProducerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'ProducerEpoch', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSchema;
