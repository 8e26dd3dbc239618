import type { MessageSchema } from '../message-schema.js';

export const OffsetFetchRequest = {
  apiKey: 9,
  type: 'request',
  name: 'OffsetFetchRequest',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0-7' },
    {
      name: 'Topics',
      type: '[]OffsetFetchRequestTopic',
      versions: '0-7',
      nullableVersions: '2-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        { name: 'PartitionIndexes', type: '[]int32', versions: '0-7' },
      ],
    },
    {
      name: 'Groups',
      type: '[]OffsetFetchRequestGroup',
      versions: '8+',
      fields: [
        { name: 'groupId', type: 'string', versions: '8+' },
        {
          name: 'Topics',
          type: '[]OffsetFetchRequestTopics',
          versions: '8+',
          nullableVersions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '0-8' },
            { name: 'TopicId', type: 'uuid', versions: '9+' },
            { name: 'PartitionIndexes', type: '[]int32', versions: '8+' },
          ],
        },
      ],
    },
    { name: 'RequireStable', type: 'bool', versions: '7+', default: 'false' },
  ],
} as const satisfies MessageSchema;

export const OffsetFetchResponse = {
  apiKey: 9,
  type: 'response',
  name: 'OffsetFetchResponse',
  validVersions: '0-8',
  flexibleVersions: '6+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '3+' },
    {
      name: 'Topics',
      type: '[]OffsetFetchResponseTopic',
      versions: '0-7',
      fields: [
        { name: 'Name', type: 'string', versions: '0-7' },
        {
          name: 'Partitions',
          type: '[]OffsetFetchResponsePartition',
          versions: '0-7',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0-7' },
            { name: 'CommittedOffset', type: 'int64', versions: '0-7' },
            { name: 'CommittedLeaderEpoch', type: 'int32', versions: '5-7', default: '-1' },
            { name: 'Metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
            { name: 'ErrorCode', type: 'int16', versions: '0-7' },
          ],
        },
      ],
    },
    { name: 'ErrorCode', type: 'int16', versions: '2-7', default: '0' },
    {
      name: 'GroupIds',
      type: '[]OffsetFetchResponseGroup',
      versions: '8+',
      fields: [
        { name: 'groupId', type: 'string', versions: '8+' },
        {
          name: 'Topics',
          type: '[]OffsetFetchResponseTopics',
          versions: '8+',
          fields: [
            { name: 'Name', type: 'string', versions: '8+' },
            {
              name: 'Partitions',
              type: '[]OffsetFetchResponsePartitions',
              versions: '8+',
              fields: [
                { name: 'PartitionIndex', type: 'int32', versions: '8+' },
                { name: 'CommittedOffset', type: 'int64', versions: '8+' },
                { name: 'CommittedLeaderEpoch', type: 'int32', versions: '8+', default: '-1' },
                { name: 'Metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                { name: 'ErrorCode', type: 'int16', versions: '8+' },
              ],
            },
          ],
        },
        { name: 'ErrorCode', type: 'int16', versions: '8+', default: '0' },
      ],
    },
  ],
} as const satisfies MessageSchema;
