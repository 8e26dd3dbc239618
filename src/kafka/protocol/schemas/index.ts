import type { MessageSchema } from '../message-schema.js';
import { ApiVersionsRequest, ApiVersionsResponse } from './api-versions.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './create-topics.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './delete-topics.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './describe-groups.js';
import { FetchRequest, FetchResponse } from './fetch.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './find-coordinator.js';
import { HeartbeatRequest, HeartbeatResponse } from './heartbeat.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './init-producer-id.js';
import { JoinGroupRequest, JoinGroupResponse } from './join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from './leave-group.js';
import { ListGroupsRequest, ListGroupsResponse } from './list-groups.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './list-offsets.js';
import { MetadataRequest, MetadataResponse } from './metadata.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './offset-commit.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './offset-fetch.js';
import { ProduceRequest, ProduceResponse } from './produce.js';
import {
  SaslAuthenticateRequest,
  SaslAuthenticateResponse,
  SaslHandshakeRequest,
  SaslHandshakeResponse,
} from './sasl.js';
import { ShareAcknowledgeRequest, ShareAcknowledgeResponse } from './share-acknowledge.js';
import { ShareFetchRequest, ShareFetchResponse } from './share-fetch.js';
import { ShareGroupDescribeRequest, ShareGroupDescribeResponse } from './share-group-describe.js';
import { ShareGroupHeartbeatRequest, ShareGroupHeartbeatResponse } from './share-group-heartbeat.js';
import { SyncGroupRequest, SyncGroupResponse } from './sync-group.js';

export { RequestHeader, ResponseHeader } from './request-header.js';

/** The request and response schema of one API. */
export interface ApiSchemas {
  request: MessageSchema;
  response: MessageSchema;
}

const pairs: ApiSchemas[] = [
  { request: ProduceRequest, response: ProduceResponse },
  { request: FetchRequest, response: FetchResponse },
  { request: ListOffsetsRequest, response: ListOffsetsResponse },
  { request: MetadataRequest, response: MetadataResponse },
  { request: OffsetCommitRequest, response: OffsetCommitResponse },
  { request: OffsetFetchRequest, response: OffsetFetchResponse },
  { request: FindCoordinatorRequest, response: FindCoordinatorResponse },
  { request: JoinGroupRequest, response: JoinGroupResponse },
  { request: HeartbeatRequest, response: HeartbeatResponse },
  { request: LeaveGroupRequest, response: LeaveGroupResponse },
  { request: SyncGroupRequest, response: SyncGroupResponse },
  { request: DescribeGroupsRequest, response: DescribeGroupsResponse },
  { request: ListGroupsRequest, response: ListGroupsResponse },
  { request: SaslHandshakeRequest, response: SaslHandshakeResponse },
  { request: ApiVersionsRequest, response: ApiVersionsResponse },
  { request: CreateTopicsRequest, response: CreateTopicsResponse },
  { request: DeleteTopicsRequest, response: DeleteTopicsResponse },
  { request: InitProducerIdRequest, response: InitProducerIdResponse },
  { request: SaslAuthenticateRequest, response: SaslAuthenticateResponse },
  { request: CreatePartitionsRequest, response: CreatePartitionsResponse },
  { request: ShareGroupHeartbeatRequest, response: ShareGroupHeartbeatResponse },
  { request: ShareGroupDescribeRequest, response: ShareGroupDescribeResponse },
  { request: ShareFetchRequest, response: ShareFetchResponse },
  { request: ShareAcknowledgeRequest, response: ShareAcknowledgeResponse },
];

/** Every API whose schemas the codec holds, by API key. */
export const API_SCHEMAS: ReadonlyMap<number, ApiSchemas> = new Map(pairs.map((pair) => [pair.request.apiKey!, pair]));
