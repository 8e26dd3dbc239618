import type { MessageSchema } from '../message-schema.js';

export const FindCoordinatorRequest = {
  apiKey: 10,
  type: 'request',
  name: 'FindCoordinatorRequest',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'Key', type: 'string', versions: '0-3' },
    { name: 'KeyType', type: 'int8', versions: '1+', default: '0' },
    { name: 'CoordinatorKeys', type: '[]string', versions: '4+' },
  ],
} as const satisfies MessageSchema;

export const FindCoordinatorResponse = {
  apiKey: 10,
  type: 'response',
  name: 'FindCoordinatorResponse',
  validVersions: '0-2',
  flexibleVersions: 'none',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '1+', nullableVersions: '1+' },
    { name: 'NodeId', type: 'int32', versions: '0+' },
    { name: 'Host', type: 'string', versions: '0+' },
    { name: 'Port', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSchema;
