import type { MessageSchema } from '../message-schema.js';

export const ShareGroupDescribeRequest = {
  apiKey: 77,
  type: 'request',
  name: 'ShareGroupDescribeRequest',
  validVersions: '1',
  flexibleVersions: '1+',
  fields: [
    { name: 'GroupIds', type: '[]string', versions: '1+' },
    { name: 'IncludeAuthorizedOperations', type: 'bool', versions: '1+' },
  ],
} as const satisfies MessageSchema;

export const ShareGroupDescribeResponse = {
  apiKey: 77,
  type: 'response',
  name: 'ShareGroupDescribeResponse',
  validVersions: '1',
  flexibleVersions: '1+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Groups',
      type: '[]DescribedGroup',
      versions: '1+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '1+' },
        { name: 'ErrorMessage', type: 'string', versions: '1+', nullableVersions: '1+', default: 'null' },
        { name: 'GroupId', type: 'string', versions: '1+' },
        { name: 'GroupState', type: 'string', versions: '1+' },
        { name: 'GroupEpoch', type: 'int32', versions: '1+' },
        { name: 'AssignmentEpoch', type: 'int32', versions: '1+' },
        { name: 'AssignorName', type: 'string', versions: '1+' },
        {
          name: 'Members',
          type: '[]Member',
          versions: '1+',
          fields: [
            { name: 'MemberId', type: 'string', versions: '1+' },
            { name: 'RackId', type: 'string', versions: '1+', nullableVersions: '1+', default: 'null' },
            { name: 'MemberEpoch', type: 'int32', versions: '1+' },
            { name: 'ClientId', type: 'string', versions: '1+' },
            { name: 'ClientHost', type: 'string', versions: '1+' },
            { name: 'SubscribedTopicNames', type: '[]string', versions: '1+' },
            { name: 'Assignment', type: 'Assignment', versions: '1+' },
          ],
        },
        { name: 'AuthorizedOperations', type: 'int32', versions: '1+', default: '-2147483648' },
      ],
    },
  ],
  commonStructs: [
    {
      name: 'TopicPartitions',
      versions: '1+',
      fields: [
        { name: 'TopicId', type: 'uuid', versions: '1+' },
        { name: 'TopicName', type: 'string', versions: '1+' },
        { name: 'Partitions', type: '[]int32', versions: '1+' },
      ],
    },
    {
      name: 'Assignment',
      versions: '1+',
      fields: [{ name: 'TopicPartitions', type: '[]TopicPartitions', versions: '1+' }],
    },
  ],
} as const satisfies MessageSchema;
