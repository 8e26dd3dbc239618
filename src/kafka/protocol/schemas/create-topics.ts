import type { MessageSchema } from '../message-schema.js';

export const CreateTopicsRequest = {
  apiKey: 19,
  type: 'request',
  name: 'CreateTopicsRequest',
  validVersions: '0-5',
  flexibleVersions: '5+',
  fields: [
    {
      name: 'Topics',
      type: '[]CreatableTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'NumPartitions', type: 'int32', versions: '0+' },
        { name: 'ReplicationFactor', type: 'int16', versions: '0+' },
        {
          name: 'Assignments',
          type: '[]CreatableReplicaAssignment',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'BrokerIds', type: '[]int32', versions: '0+' },
          ],
        },
        {
          name: 'Configs',
          type: '[]CreateableTopicConfig',
          versions: '0+',
          fields: [
            { name: 'Name', type: 'string', versions: '0+' },
            { name: 'Value', type: 'string', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: '60000' },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: 'false' },
  ],
} as const satisfies MessageSchema;

export const CreateTopicsResponse = {
  apiKey: 19,
  type: 'response',
  name: 'CreateTopicsResponse',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'Topics',
      type: '[]CreatableTopicResult',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'ErrorMessage', type: 'string', versions: '1+', nullableVersions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSchema;
