import type { MessageSchema } from '../message-schema.js';

export const ProduceRequest = {
  apiKey: 0,
  type: 'request',
  name: 'ProduceRequest',
  validVersions: '0-8',
  flexibleVersions: 'none',
  fields: [
    { name: 'TransactionalId', type: 'string', versions: '3+', nullableVersions: '0+' },
    { name: 'Acks', type: 'int16', versions: '0+' },
    { name: 'TimeoutMs', type: 'int32', versions: '0+' },
    {
      name: 'Topics',
      type: '[]TopicProduceData',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionProduceData',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'Records', type: 'bytes', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSchema;

export const ProduceResponse = {
  apiKey: 0,
  type: 'response',
  name: 'ProduceResponse',
  validVersions: '0-8',
  flexibleVersions: 'none',
  fields: [
    {
      name: 'Responses',
      type: '[]TopicProduceResponse',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionProduceResponse',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'BaseOffset', type: 'int64', versions: '0+' },
            { name: 'LogAppendTimeMs', type: 'int64', versions: '2+', default: '-1' },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1' },
            {
              name: 'RecordErrors',
              type: '[]BatchIndexAndErrorMessage',
              versions: '8+',
              fields: [
                { name: 'BatchIndex', type: 'int32', versions: '8+' },
                {
                  name: 'BatchIndexErrorMessage',
                  type: 'string',
                  default: 'null',
                  versions: '8+',
                  nullableVersions: '8+',
                },
              ],
            },
            { name: 'ErrorMessage', type: 'string', default: 'null', versions: '8+', nullableVersions: '8+' },
          ],
        },
      ],
    },
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
  ],
} as const satisfies MessageSchema;
