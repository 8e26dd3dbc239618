import { Injectable } from '@nestjs/common';

/**
 * The seam between the Kafka wire codec (src/kafka/protocol/) and the handlers of each API
 * (src/kafka/handlers/). A decoded request and a response to encode are plain objects whose
 * keys are the field names of Kafka's own message schemas
 * (clients/src/main/resources/common/message/*.json in apache/kafka) with the first letter
 * lower-cased: `groupId`, `memberId`, `topics[].partitions[].partitionIndex`, `errorCode`.
 * Fields of type `records` are a Buffer (or null); `bytes` are Buffers; int64 are numbers
 * (offsets and timestamps stay below 2^53); uuid are 16-byte Buffers or canonical strings
 * (the codec accepts both and decodes to strings). Tagged fields absent mean their defaults.
 * The codec fills fields a response leaves out with the schema's default.
 */

/** What a handler knows about the connection a request came on. */
export interface KafkaRequestContext {
  /** The request header's client id. */
  clientId: string | null;
  /** The authenticated principal (SASL/PLAIN), or null when the broker runs without keys. */
  principal: string | null;
  /** The broker's own node id and advertised address, for Metadata and FindCoordinator. */
  nodeId: number;
  advertisedHost: string;
  advertisedPort: number;
  /** A stable id of this connection (for logs and per-connection state). */
  connectionId: string;
}

/**
 * A response as a handler answers it: any field may be left out (the codec writes the schema's
 * default). A handler declares its request and response types next to it, for the fields it
 * reads and answers, keyed as above (see protocol/schemas/README.md).
 */
export type KafkaAnswer<T> = T extends Buffer
  ? T
  : T extends readonly (infer E)[]
    ? KafkaAnswer<E>[]
    : T extends object
      ? { [K in keyof T]?: KafkaAnswer<T[K]> }
      : T;

/** One Kafka API: its key, Kafka's name of it and the versions Shoal answers. */
export interface KafkaApiInfo {
  apiKey: number;
  /** Kafka's name of the API, e.g. `JoinGroup`: the schema files are `<name>Request.json`/`<name>Response.json`. */
  name: string;
  minVersion: number;
  maxVersion: number;
}

/** What one Kafka API does; `@KafkaApi` names the API. */
export interface KafkaApiHandler<Request = unknown, Response = Record<string, unknown>> {
  /** Answers one request; the codec encodes the result at the request's version. */
  handle(request: Request, version: number, context: KafkaRequestContext): Promise<Response>;
}

const apis = new WeakMap<object, KafkaApiInfo>();

/** Makes a class the handler of one Kafka API (and a NestJS provider). */
export function KafkaApi(info: KafkaApiInfo): ClassDecorator {
  return (target) => {
    apis.set(target, info);
    Injectable()(target);
  };
}

/** The API a handler answers, as its class's `@KafkaApi` names it. */
export function kafkaApiOf(handler: KafkaApiHandler): KafkaApiInfo {
  const info = apis.get(handler.constructor);
  if (!info) throw new Error(`${handler.constructor.name} has no @KafkaApi`);
  return info;
}

/** Kafka's error codes Shoal answers with (`org.apache.kafka.common.protocol.Errors`). */
export const KafkaError = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_COMMIT_OFFSET_SIZE: 28,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  OPERATION_NOT_ATTEMPTED: 55,
  POLICY_VIOLATION: 44,
  KAFKA_STORAGE_ERROR: 56,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
  UNKNOWN_TOPIC_ID: 100,
  FENCED_MEMBER_EPOCH: 110,
  UNRELEASED_INSTANCE_ID: 111,
  UNSUPPORTED_ASSIGNOR: 112,
  STALE_MEMBER_EPOCH: 113,
  PRODUCER_FENCED: 90,
  INVALID_RECORD_STATE: 121,
  SHARE_SESSION_NOT_FOUND: 122,
  INVALID_SHARE_SESSION_EPOCH: 123,
} as const;
