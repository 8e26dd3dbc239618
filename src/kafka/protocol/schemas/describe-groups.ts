import type { MessageSchema } from '../message-schema.js';

export const DescribeGroupsRequest = {
  apiKey: 15,
  type: 'request',
  name: 'DescribeGroupsRequest',
  validVersions: '0-5',
  flexibleVersions: '5+',
  fields: [
    { name: 'Groups', type: '[]string', versions: '0+' },
    { name: 'IncludeAuthorizedOperations', type: 'bool', versions: '3+', default: 'false' },
  ],
} as const satisfies MessageSchema;

export const DescribeGroupsResponse = {
  apiKey: 15,
  type: 'response',
  name: 'DescribeGroupsResponse',
  validVersions: '0-4',
  flexibleVersions: 'none',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'Groups',
      type: '[]DescribedGroup',
      versions: '0+',
      fields: [
        { name: 'ErrorCode', type: 'int16', versions: '0+' },
        { name: 'GroupId', type: 'string', versions: '0+' },
        { name: 'GroupState', type: 'string', versions: '0+' },
        { name: 'ProtocolType', type: 'string', versions: '0+' },
        { name: 'ProtocolData', type: 'string', versions: '0+' },
        {
          name: 'Members',
          type: '[]DescribedGroupMember',
          versions: '0+',
          fields: [
            { name: 'MemberId', type: 'string', versions: '0+' },
            { name: 'GroupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: 'null' },
            { name: 'ClientId', type: 'string', versions: '0+' },
            { name: 'ClientHost', type: 'string', versions: '0+' },
            { name: 'MemberMetadata', type: 'bytes', versions: '0+' },
            { name: 'MemberAssignment', type: 'bytes', versions: '0+' },
          ],
        },
        { name: 'AuthorizedOperations', type: 'int32', versions: '3+', default: '-2147483648' },
      ],
    },
  ],
} as const satisfies MessageSchema;
