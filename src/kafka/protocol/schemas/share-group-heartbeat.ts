import type { MessageSchema } from '../message-schema.js';

export const ShareGroupHeartbeatRequest = {
  apiKey: 76,
  type: 'request',
  name: 'ShareGroupHeartbeatRequest',
  // The stored copy is 4.0's early-access v0; v1 (Kafka 4.1+, KIP-932 GA) drops RebalanceTimeoutMs.
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0+' },
    { name: 'MemberId', type: 'string', versions: '0+' },
    { name: 'MemberEpoch', type: 'int32', versions: '0+' },
    { name: 'RackId', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
    { name: 'RebalanceTimeoutMs', type: 'int32', versions: '0', default: -1 },
    { name: 'SubscribedTopicNames', type: '[]string', versions: '0+', nullableVersions: '0+', default: 'null' },
  ],
} as const satisfies MessageSchema;

export const ShareGroupHeartbeatResponse = {
  apiKey: 76,
  type: 'response',
  name: 'ShareGroupHeartbeatResponse',
  // v1 (Kafka 4.1+): the assignment is just TopicPartitions, as ConsumerGroupHeartbeat's.
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
    { name: 'MemberId', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
    { name: 'MemberEpoch', type: 'int32', versions: '0+' },
    { name: 'HeartbeatIntervalMs', type: 'int32', versions: '0+' },
    {
      name: 'Assignment',
      type: 'Assignment',
      versions: '0+',
      nullableVersions: '0+',
      default: 'null',
      fields: [
        { name: 'Error', type: 'int8', versions: '0' },
        {
          name: 'AssignedTopicPartitions',
          type: '[]TopicPartitions',
          versions: '0',
          fields: [
            { name: 'TopicId', type: 'uuid', versions: '0+' },
            { name: 'Partitions', type: '[]int32', versions: '0+' },
          ],
        },
        {
          name: 'TopicPartitions',
          type: '[]TopicPartitions',
          versions: '1+',
          fields: [
            { name: 'TopicId', type: 'uuid', versions: '1+' },
            { name: 'Partitions', type: '[]int32', versions: '1+' },
          ],
        },
      ],
    },
  ],
} as const satisfies MessageSchema;
