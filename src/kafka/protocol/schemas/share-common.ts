import type { FieldSchema } from '../message-schema.js';

/** Fields ShareFetch and ShareAcknowledge (KIP-932) have alike, written once. */

/** A partition's acknowledgement batches in a request. */
export const AcknowledgementBatches = {
  name: 'AcknowledgementBatches',
  type: '[]AcknowledgementBatch',
  versions: '0+',
  fields: [
    { name: 'FirstOffset', type: 'int64', versions: '0+' },
    { name: 'LastOffset', type: 'int64', versions: '0+' },
    { name: 'AcknowledgeTypes', type: '[]int8', versions: '0+' },
  ],
} as const satisfies FieldSchema;

/** A response's top-level error, after its throttle time. */
export const TopLevelError = [
  { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
  { name: 'ErrorCode', type: 'int16', versions: '0+' },
  { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
] as const satisfies readonly FieldSchema[];

/** The first fields of a response partition: its index and error. */
export const PartitionError = [
  { name: 'PartitionIndex', type: 'int32', versions: '0+' },
  { name: 'ErrorCode', type: 'int16', versions: '0+' },
  { name: 'ErrorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
] as const satisfies readonly FieldSchema[];

/** The partition's leader (always the answering broker). */
export const CurrentLeader = {
  name: 'CurrentLeader',
  type: 'LeaderIdAndEpoch',
  versions: '0+',
  fields: [
    { name: 'LeaderId', type: 'int32', versions: '0+' },
    { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
  ],
} as const satisfies FieldSchema;

/** Endpoints of leaders the response names (Shoal names none). */
export const NodeEndpoints = {
  name: 'NodeEndpoints',
  type: '[]NodeEndpoint',
  versions: '0+',
  fields: [
    { name: 'NodeId', type: 'int32', versions: '0+' },
    { name: 'Host', type: 'string', versions: '0+' },
    { name: 'Port', type: 'int32', versions: '0+' },
    { name: 'Rack', type: 'string', versions: '0+', nullableVersions: '0+', default: 'null' },
  ],
} as const satisfies FieldSchema;
