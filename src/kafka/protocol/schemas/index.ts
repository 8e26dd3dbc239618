import RequestHeaderJson from './RequestHeader.json' with { type: 'json' };
import ResponseHeaderJson from './ResponseHeader.json' with { type: 'json' };
import ProduceRequestJson from './ProduceRequest.json' with { type: 'json' };
import ProduceResponseJson from './ProduceResponse.json' with { type: 'json' };
import FetchRequestJson from './FetchRequest.json' with { type: 'json' };
import FetchResponseJson from './FetchResponse.json' with { type: 'json' };
import ListOffsetsRequestJson from './ListOffsetsRequest.json' with { type: 'json' };
import ListOffsetsResponseJson from './ListOffsetsResponse.json' with { type: 'json' };
import MetadataRequestJson from './MetadataRequest.json' with { type: 'json' };
import MetadataResponseJson from './MetadataResponse.json' with { type: 'json' };
import OffsetCommitRequestJson from './OffsetCommitRequest.json' with { type: 'json' };
import OffsetCommitResponseJson from './OffsetCommitResponse.json' with { type: 'json' };
import OffsetFetchRequestJson from './OffsetFetchRequest.json' with { type: 'json' };
import OffsetFetchResponseJson from './OffsetFetchResponse.json' with { type: 'json' };
import FindCoordinatorRequestJson from './FindCoordinatorRequest.json' with { type: 'json' };
import FindCoordinatorResponseJson from './FindCoordinatorResponse.json' with { type: 'json' };
import JoinGroupRequestJson from './JoinGroupRequest.json' with { type: 'json' };
import JoinGroupResponseJson from './JoinGroupResponse.json' with { type: 'json' };
import HeartbeatRequestJson from './HeartbeatRequest.json' with { type: 'json' };
import HeartbeatResponseJson from './HeartbeatResponse.json' with { type: 'json' };
import LeaveGroupRequestJson from './LeaveGroupRequest.json' with { type: 'json' };
import LeaveGroupResponseJson from './LeaveGroupResponse.json' with { type: 'json' };
import SyncGroupRequestJson from './SyncGroupRequest.json' with { type: 'json' };
import SyncGroupResponseJson from './SyncGroupResponse.json' with { type: 'json' };
import DescribeGroupsRequestJson from './DescribeGroupsRequest.json' with { type: 'json' };
import DescribeGroupsResponseJson from './DescribeGroupsResponse.json' with { type: 'json' };
import ListGroupsRequestJson from './ListGroupsRequest.json' with { type: 'json' };
import ListGroupsResponseJson from './ListGroupsResponse.json' with { type: 'json' };
import SaslHandshakeRequestJson from './SaslHandshakeRequest.json' with { type: 'json' };
import SaslHandshakeResponseJson from './SaslHandshakeResponse.json' with { type: 'json' };
import ApiVersionsRequestJson from './ApiVersionsRequest.json' with { type: 'json' };
import ApiVersionsResponseJson from './ApiVersionsResponse.json' with { type: 'json' };
import CreateTopicsRequestJson from './CreateTopicsRequest.json' with { type: 'json' };
import CreateTopicsResponseJson from './CreateTopicsResponse.json' with { type: 'json' };
import DeleteTopicsRequestJson from './DeleteTopicsRequest.json' with { type: 'json' };
import DeleteTopicsResponseJson from './DeleteTopicsResponse.json' with { type: 'json' };
import InitProducerIdRequestJson from './InitProducerIdRequest.json' with { type: 'json' };
import InitProducerIdResponseJson from './InitProducerIdResponse.json' with { type: 'json' };
import SaslAuthenticateRequestJson from './SaslAuthenticateRequest.json' with { type: 'json' };
import SaslAuthenticateResponseJson from './SaslAuthenticateResponse.json' with { type: 'json' };
import CreatePartitionsRequestJson from './CreatePartitionsRequest.json' with { type: 'json' };
import CreatePartitionsResponseJson from './CreatePartitionsResponse.json' with { type: 'json' };
import ShareGroupHeartbeatRequestJson from './ShareGroupHeartbeatRequest.json' with { type: 'json' };
import ShareGroupHeartbeatResponseJson from './ShareGroupHeartbeatResponse.json' with { type: 'json' };
import ShareGroupDescribeRequestJson from './ShareGroupDescribeRequest.json' with { type: 'json' };
import ShareGroupDescribeResponseJson from './ShareGroupDescribeResponse.json' with { type: 'json' };
import ShareFetchRequestJson from './ShareFetchRequest.json' with { type: 'json' };
import ShareFetchResponseJson from './ShareFetchResponse.json' with { type: 'json' };
import ShareAcknowledgeRequestJson from './ShareAcknowledgeRequest.json' with { type: 'json' };
import ShareAcknowledgeResponseJson from './ShareAcknowledgeResponse.json' with { type: 'json' };
import AddPartitionsToTxnRequestJson from './AddPartitionsToTxnRequest.json' with { type: 'json' };
import AddPartitionsToTxnResponseJson from './AddPartitionsToTxnResponse.json' with { type: 'json' };
import AddOffsetsToTxnRequestJson from './AddOffsetsToTxnRequest.json' with { type: 'json' };
import AddOffsetsToTxnResponseJson from './AddOffsetsToTxnResponse.json' with { type: 'json' };
import EndTxnRequestJson from './EndTxnRequest.json' with { type: 'json' };
import EndTxnResponseJson from './EndTxnResponse.json' with { type: 'json' };
import TxnOffsetCommitRequestJson from './TxnOffsetCommitRequest.json' with { type: 'json' };
import TxnOffsetCommitResponseJson from './TxnOffsetCommitResponse.json' with { type: 'json' };
import type { MessageSchema } from '../message-schema.js';

/**
 * Kafka's message schemas, as apache/kafka publishes them (clients/src/main/resources/common/message/*.json),
 * for the versions Shoal answers: see README.md in this folder for what differs from Kafka's copies.
 */
const schema = (json: object): MessageSchema => json as MessageSchema;

export const RequestHeader = schema(RequestHeaderJson);
export const ResponseHeader = schema(ResponseHeaderJson);

/** The request and response schema of one API. */
export interface ApiSchemas {
  request: MessageSchema;
  response: MessageSchema;
}

const pairs: [object, object][] = [
  [ProduceRequestJson, ProduceResponseJson],
  [FetchRequestJson, FetchResponseJson],
  [ListOffsetsRequestJson, ListOffsetsResponseJson],
  [MetadataRequestJson, MetadataResponseJson],
  [OffsetCommitRequestJson, OffsetCommitResponseJson],
  [OffsetFetchRequestJson, OffsetFetchResponseJson],
  [FindCoordinatorRequestJson, FindCoordinatorResponseJson],
  [JoinGroupRequestJson, JoinGroupResponseJson],
  [HeartbeatRequestJson, HeartbeatResponseJson],
  [LeaveGroupRequestJson, LeaveGroupResponseJson],
  [SyncGroupRequestJson, SyncGroupResponseJson],
  [DescribeGroupsRequestJson, DescribeGroupsResponseJson],
  [ListGroupsRequestJson, ListGroupsResponseJson],
  [SaslHandshakeRequestJson, SaslHandshakeResponseJson],
  [ApiVersionsRequestJson, ApiVersionsResponseJson],
  [CreateTopicsRequestJson, CreateTopicsResponseJson],
  [DeleteTopicsRequestJson, DeleteTopicsResponseJson],
  [InitProducerIdRequestJson, InitProducerIdResponseJson],
  [SaslAuthenticateRequestJson, SaslAuthenticateResponseJson],
  [CreatePartitionsRequestJson, CreatePartitionsResponseJson],
  [ShareGroupHeartbeatRequestJson, ShareGroupHeartbeatResponseJson],
  [ShareGroupDescribeRequestJson, ShareGroupDescribeResponseJson],
  [ShareFetchRequestJson, ShareFetchResponseJson],
  [ShareAcknowledgeRequestJson, ShareAcknowledgeResponseJson],
  [AddPartitionsToTxnRequestJson, AddPartitionsToTxnResponseJson],
  [AddOffsetsToTxnRequestJson, AddOffsetsToTxnResponseJson],
  [EndTxnRequestJson, EndTxnResponseJson],
  [TxnOffsetCommitRequestJson, TxnOffsetCommitResponseJson],
];

/** Every API whose schemas the codec holds, by API key. */
export const API_SCHEMAS: ReadonlyMap<number, ApiSchemas> = new Map(
  pairs.map(([request, response]) => [
    schema(request).apiKey!,
    { request: schema(request), response: schema(response) },
  ]),
);
