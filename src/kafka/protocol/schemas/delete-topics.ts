import type { MessageSchema } from '../message-schema.js';

export const DeleteTopicsRequest = {
  apiKey: 20,
  type: 'request',
  name: 'DeleteTopicsRequest',
  validVersions: '1-6',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'Topics',
      type: '[]DeleteTopicState',
      versions: '6+',
      fields: [
        { name: 'Name', type: 'string', versions: '6+', nullableVersions: '6+', default: 'null' },
        { name: 'TopicId', type: 'uuid', versions: '6+' },
      ],
    },
    { name: 'TopicNames', type: '[]string', versions: '0-5' },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
  ],
} as const satisfies MessageSchema;

export const DeleteTopicsResponse = {
  apiKey: 20,
  type: 'response',
  name: 'DeleteTopicsResponse',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Responses',
      type: '[]DeletableTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSchema;
