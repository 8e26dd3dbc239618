import type { Type } from '@nestjs/common';
import type { KafkaApiHandler } from '../kafka-api.js';
import { CreatePartitionsHandler } from './create-partitions.handler.js';
import { CreateTopicsHandler } from './create-topics.handler.js';
import { DeleteTopicsHandler } from './delete-topics.handler.js';
import { FetchHandler } from './fetch.handler.js';
import { InitProducerIdHandler } from './init-producer-id.handler.js';
import { ListOffsetsHandler } from './list-offsets.handler.js';
import { MetadataHandler } from './metadata.handler.js';
import { ProduceHandler } from './produce.handler.js';
import { SaslAuthenticateHandler } from './sasl-authenticate.handler.js';
import { SaslHandshakeHandler } from './sasl-handshake.handler.js';
import { FindCoordinatorHandler } from './find-coordinator.handler.js';
import { JoinGroupHandler } from './join-group.handler.js';
import { SyncGroupHandler } from './sync-group.handler.js';
import { HeartbeatHandler } from './heartbeat.handler.js';
import { LeaveGroupHandler } from './leave-group.handler.js';
import { OffsetCommitHandler } from './offset-commit.handler.js';
import { OffsetFetchHandler } from './offset-fetch.handler.js';
import { DescribeGroupsHandler } from './describe-groups.handler.js';
import { ListGroupsHandler } from './list-groups.handler.js';
import { ShareAcknowledgeHandler } from './share-acknowledge.handler.js';
import { ShareFetchHandler } from './share-fetch.handler.js';
import { ShareGroupDescribeHandler } from './share-group-describe.handler.js';
import { ShareGroupHeartbeatHandler } from './share-group-heartbeat.handler.js';
import { AddPartitionsToTxnHandler } from './add-partitions-to-txn.handler.js';
import { AddOffsetsToTxnHandler } from './add-offsets-to-txn.handler.js';
import { EndTxnHandler } from './end-txn.handler.js';
import { TxnOffsetCommitHandler } from './txn-offset-commit.handler.js';

/**
 * Every Kafka API handler (a class implementing `KafkaApiHandler`, named by `@KafkaApi`), one line each.
 * ApiVersions is built from this list by `KafkaHandlerRegistry` and needs no line.
 */
export const KAFKA_HANDLERS: Type<KafkaApiHandler>[] = [
  ProduceHandler,
  FetchHandler,
  ListOffsetsHandler,
  MetadataHandler,
  SaslHandshakeHandler,
  CreateTopicsHandler,
  DeleteTopicsHandler,
  InitProducerIdHandler,
  SaslAuthenticateHandler,
  CreatePartitionsHandler,
  FindCoordinatorHandler,
  JoinGroupHandler,
  SyncGroupHandler,
  HeartbeatHandler,
  LeaveGroupHandler,
  OffsetCommitHandler,
  OffsetFetchHandler,
  DescribeGroupsHandler,
  ListGroupsHandler,
  ShareGroupHeartbeatHandler,
  ShareGroupDescribeHandler,
  ShareFetchHandler,
  ShareAcknowledgeHandler,
  AddPartitionsToTxnHandler,
  AddOffsetsToTxnHandler,
  EndTxnHandler,
  TxnOffsetCommitHandler,
];
