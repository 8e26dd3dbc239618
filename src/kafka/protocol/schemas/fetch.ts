import type { MessageSchema } from '../message-schema.js';

export const FetchRequest = {
  apiKey: 1,
  type: 'request',
  name: 'FetchRequest',
  validVersions: '0-11',
  flexibleVersions: 'none',
  fields: [
    { name: 'ReplicaId', type: 'int32', versions: '0+' },
    { name: 'MaxWait', type: 'int32', versions: '0+' },
    { name: 'MinBytes', type: 'int32', versions: '0+' },
    { name: 'MaxBytes', type: 'int32', versions: '3+', default: '0x7fffffff' },
    { name: 'IsolationLevel', type: 'int8', versions: '4+', default: '0' },
    { name: 'SessionId', type: 'int32', versions: '7+', default: '0' },
    { name: 'Epoch', type: 'int32', versions: '7+', default: '-1' },
    {
      name: 'Topics',
      type: '[]FetchableTopic',
      versions: '0+',
      fields: [
        { name: 'Name', type: 'string', versions: '0+' },
        {
          name: 'FetchPartitions',
          type: '[]FetchPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'CurrentLeaderEpoch', type: 'int32', versions: '9+', default: '-1' },
            { name: 'FetchOffset', type: 'int64', versions: '0+' },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1' },
            { name: 'MaxBytes', type: 'int32', versions: '0+' },
          ],
        },
      ],
    },
    {
      name: 'Forgotten',
      type: '[]ForgottenTopic',
      versions: '7+',
      fields: [
        { name: 'Name', type: 'string', versions: '7+' },
        { name: 'ForgottenPartitionIndexes', type: '[]int32', versions: '7+' },
      ],
    },
    { name: 'RackId', type: 'string', versions: '11+', default: '' },
  ],
} as const satisfies MessageSchema;

export const FetchResponse = {
  apiKey: 1,
  type: 'response',
  name: 'FetchResponse',
  validVersions: '0-12',
  flexibleVersions: '12+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    { name: 'ErrorCode', type: 'int16', versions: '7+' },
    { name: 'SessionId', type: 'int32', versions: '7+', default: '0' },
    {
      name: 'Responses',
      type: '[]FetchableTopicResponse',
      versions: '0+',
      fields: [
        { name: 'Topic', type: 'string', versions: '0+' },
        {
          name: 'PartitionResponses',
          type: '[]FetchablePartitionResponse',
          versions: '0+',
          fields: [
            { name: 'Partition', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'HighWatermark', type: 'int64', versions: '0+' },
            { name: 'LastStableOffset', type: 'int64', versions: '4+', default: '-1' },
            { name: 'LogStartOffset', type: 'int64', versions: '5+', default: '-1' },
            { name: 'TruncationOffset', type: 'int64', versions: '12+', default: '-1', taggedVersions: '12+', tag: 0 },
            {
              name: 'CurrentLeader',
              type: 'LeaderIdAndEpoch',
              versions: '12+',
              taggedVersions: '12+',
              tag: 1,
              fields: [
                { name: 'LeaderId', type: 'int32', versions: '12+', default: '-1' },
                { name: 'LeaderEpoch', type: 'int32', versions: '12+', default: '-1' },
              ],
            },
            {
              name: 'AbortedTransactions',
              type: '[]AbortedTransaction',
              versions: '4+',
              nullableVersions: '4+',
              fields: [
                { name: 'ProducerId', type: 'int64', versions: '4+' },
                { name: 'FirstOffset', type: 'int64', versions: '4+' },
              ],
            },
            { name: 'PreferredReadReplica', type: 'int32', versions: '11+', default: '-1' },
            { name: 'RecordSet', type: 'records', versions: '0+', nullableVersions: '0+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSchema;
