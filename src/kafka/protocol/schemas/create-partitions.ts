import type { MessageSchema } from '../message-schema.js';

export const CreatePartitionsRequest = {
  apiKey: 37,
  type: 'request',
  name: 'CreatePartitionsRequest',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    {
      name: 'Topics',
      type: '[]CreatePartitionsTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'Count', type: 'int32', versions: '0+' },
        {
          name: 'Assignments',
          type: '[]CreatePartitionsAssignment',
          versions: '0+',
          nullableVersions: '0+',
          fields: [{ name: 'BrokerIds', type: '[]int32', versions: '0+' }],
        },
      ],
    },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    { name: 'ValidateOnly', type: 'bool', versions: '0+' },
  ],
} as const satisfies MessageSchema;

export const CreatePartitionsResponse = {
  apiKey: 37,
  type: 'response',
  name: 'CreatePartitionsResponse',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'Results',
      type: '[]CreatePartitionsTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSchema;
