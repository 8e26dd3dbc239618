import type { MessageSchema } from '../message-schema.js';
import { AcknowledgementBatches, CurrentLeader, NodeEndpoints, PartitionError, TopLevelError } from './share-common.js';

export const ShareFetchRequest = {
  apiKey: 78,
  type: 'request',
  name: 'ShareFetchRequest',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
    { name: 'MemberId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'ShareSessionEpoch', type: 'int32', versions: '0+' },
    { name: 'MaxWaitMs', type: 'int32', versions: '0+' },
    { name: 'MinBytes', type: 'int32', versions: '0+' },
    { name: 'MaxBytes', type: 'int32', versions: '0+', default: '0x7fffffff' },
    { name: 'MaxRecords', type: 'int32', versions: '1+' },
    { name: 'BatchSize', type: 'int32', versions: '1+' },
    { name: 'ShareAcquireMode', type: 'int8', versions: '2+' },
    {
      name: 'Topics',
      type: '[]FetchTopic',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]FetchPartition',
          versions: '0+',
          fields: [
            { name: 'PartitionIndex', type: 'int32', versions: '0+' },
            { name: 'PartitionMaxBytes', type: 'int32', versions: '0' },
            AcknowledgementBatches,
          ],
        },
      ],
    },
    {
      name: 'ForgottenTopicsData',
      type: '[]ForgottenTopic',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        { name: 'Partitions', type: '[]int32', versions: '0+' },
      ],
    },
  ],
} as const satisfies MessageSchema;

/**
 * The copy read from apache/kafka predates versions 1 and 2 (`validVersions: "0"`), while the
 * request's copy has 1–2. Version 1 (KIP-932 stable) and 2 (KIP-1206/1222) changed the request
 * (MaxRecords, BatchSize, ShareAcquireMode); the response fields below are taken as the same
 * for 0–2, so that a handler can answer the request's versions.
 */
export const ShareFetchResponse = {
  apiKey: 78,
  type: 'response',
  name: 'ShareFetchResponse',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    ...TopLevelError,
    { name: 'AcquisitionLockTimeoutMs', type: 'int32', versions: '0+' },
    {
      name: 'Responses',
      type: '[]ShareFetchableTopicResponse',
      versions: '0+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '0+' },
        {
          name: 'Partitions',
          type: '[]PartitionData',
          versions: '0+',
          fields: [
            ...PartitionError,
            { name: 'AcknowledgeErrorCode', type: 'int16', versions: '0+' },
            {
              name: 'AcknowledgeErrorMessage',
              type: 'string',
              versions: '0+',
              nullableVersions: '0+',
              default: 'null',
            },
            CurrentLeader,
            { name: 'Records', type: 'records', versions: '0+', nullableVersions: '0+' },
            {
              name: 'AcquiredRecords',
              type: '[]AcquiredRecords',
              versions: '0+',
              fields: [
                { name: 'FirstOffset', type: 'int64', versions: '0+' },
                { name: 'LastOffset', type: 'int64', versions: '0+' },
                { name: 'DeliveryCount', type: 'int16', versions: '0+' },
              ],
            },
          ],
        },
      ],
    },
    NodeEndpoints,
  ],
} as const satisfies MessageSchema;
