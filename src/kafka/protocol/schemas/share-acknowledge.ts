import type { MessageSchema } from '../message-schema.js';
import { AcknowledgementBatches, CurrentLeader, NodeEndpoints, PartitionError, TopLevelError } from './share-common.js';

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
          fields: [{ name: 'PartitionIndex', type: 'int32', versions: '0+' }, AcknowledgementBatches],
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
    ...TopLevelError,
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
          fields: [...PartitionError, CurrentLeader],
        },
      ],
    },
    NodeEndpoints,
  ],
} as const satisfies MessageSchema;
