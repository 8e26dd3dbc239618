import type { MessageSchema } from '../message-schema.js';

export const ShareAcknowledgeRequest = {
  apiKey: 79,
  type: 'request',
  name: 'ShareAcknowledgeRequest',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
    { name: 'MemberId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'ShareSessionEpoch', type: 'int32', versions: '0+' },
    { name: 'IsRenewAck', type: 'bool', versions: '2+', default: 'false' },
    {
      name: 'Topics',
      type: '[]AcknowledgeTopic',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]AcknowledgePartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            {
              name: 'AcknowledgementBatches',
              type: '[]AcknowledgementBatch',
              versions: '0+',
              fields: [
                { name: 'FirstOffset', type: 'int64', versions: '0+' },
                { name: 'LastOffset', type: 'int64', versions: '0+' },
                { name: 'AcknowledgeTypes', type: '[]int8', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSchema;

export const ShareAcknowledgeResponse = {
  apiKey: 79,
  type: 'response',
  name: 'ShareAcknowledgeResponse',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
    { name: 'AcquisitionLockTimeoutMs', type: 'int32', versions: '2+' },
    {
      name: 'Responses',
      type: '[]ShareAcknowledgeTopicResponse',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionData',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'ErrorCode', type: 'int16', versions: '0+' },
            { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
            {
              name: 'CurrentLeader',
              type: 'LeaderIdAndEpoch',
              versions: '0+',
              fields: [
                { name: 'LeaderId', type: 'int32', versions: '0+' },
                { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
    {
      name: 'NodeEndpoints',
      type: '[]NodeEndpoint',
      versions: '0+',
      fields: [
        { name: 'NodeId', type: 'int32', versions: '0+' },
        { name: 'Host', type: 'string', versions: '0+' },
        { name: 'Port', type: 'int32', versions: '0+' },
        { name: 'Rack', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
      ],
    },
  ],
} as const satisfies MessageSchema;
