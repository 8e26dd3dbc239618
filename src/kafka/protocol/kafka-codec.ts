import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { KafkaCodecError } from './kafka-codec.error.js';
import { readMessage, writeMessage } from './message-codec.js';
import type { MessageSchema } from './message-schema.js';
import { API_SCHEMAS, RequestHeader, ResponseHeader, type ApiSchemas } from './schemas/index.js';
import { inVersions, parseVersions, type VersionRange } from './versions.js';

/**
 * Kafka's wire format, both directions: the broker decodes requests and encodes responses; test
 * clients encode requests and decode responses. A frame is a 4-byte size, then the header, then
 * the body. `decode*` take the frame without its size; `encode*` return it with the size.
 */
export interface KafkaRequestHeader {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface DecodedRequest {
  header: KafkaRequestHeader;
  body: Record<string, unknown>;
}

export interface DecodedResponse {
  correlationId: number;
  body: Record<string, unknown>;
}

const API_VERSIONS_KEY = 18;

export function schemasOf(apiKey: number): ApiSchemas {
  const schemas = API_SCHEMAS.get(apiKey);
  if (!schemas) throw new KafkaCodecError(`unknown api key ${apiKey}`);
  return schemas;
}

/** The versions both the request and the response schema the codec holds can be read and written at. */
export function schemaVersions(apiKey: number): VersionRange {
  const { request, response } = schemasOf(apiKey);
  const a = parseVersions(request.validVersions)!;
  const b = parseVersions(response.validVersions)!;
  return { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

function flexible(schema: MessageSchema, version: number): boolean {
  return inVersions(schema.flexibleVersions, version);
}

function requestHeaderVersion(apiKey: number, version: number): number {
  return flexible(schemasOf(apiKey).request, version) ? 2 : 1;
}

function responseHeaderVersion(apiKey: number, version: number): number {
  // ApiVersions answers keep header v0 so that any client can read the error of a too-new version.
  if (apiKey === API_VERSIONS_KEY) return 0;
  return flexible(schemasOf(apiKey).response, version) ? 1 : 0;
}

/** Reads just the key, version and correlation id (all fixed-size), for errors about unknown APIs and versions. */
export function peekRequestHeader(frame: Buffer): Omit<KafkaRequestHeader, 'clientId'> {
  const reader = new ByteReader(frame);
  return { requestApiKey: reader.int16(), requestApiVersion: reader.int16(), correlationId: reader.int32() };
}

export function decodeRequest(frame: Buffer): DecodedRequest {
  const reader = new ByteReader(frame);
  const peek = peekRequestHeader(frame);
  const schemas = schemasOf(peek.requestApiKey);
  const header = readMessage(RequestHeader, requestHeaderVersion(peek.requestApiKey, peek.requestApiVersion), reader);
  const body = readMessage(schemas.request, peek.requestApiVersion, reader);
  return { header: header as unknown as KafkaRequestHeader, body };
}

export function encodeResponse(
  apiKey: number,
  version: number,
  correlationId: number,
  body: Record<string, unknown>,
): Buffer {
  const writer = new ByteWriter(1024);
  const sizeAt = writer.reserve32();
  writeMessage(ResponseHeader, responseHeaderVersion(apiKey, version), writer, { correlationId });
  writeMessage(schemasOf(apiKey).response, version, writer, body);
  writer.setInt32At(sizeAt, writer.offset - 4);
  return writer.result();
}

export function encodeRequest(header: KafkaRequestHeader, body: Record<string, unknown>): Buffer {
  const writer = new ByteWriter(1024);
  const sizeAt = writer.reserve32();
  const apiKey = header.requestApiKey;
  const version = header.requestApiVersion;
  writeMessage(RequestHeader, requestHeaderVersion(apiKey, version), writer, { ...header });
  writeMessage(schemasOf(apiKey).request, version, writer, body);
  writer.setInt32At(sizeAt, writer.offset - 4);
  return writer.result();
}

export function decodeResponse(apiKey: number, version: number, frame: Buffer): DecodedResponse {
  const reader = new ByteReader(frame);
  const header = readMessage(ResponseHeader, responseHeaderVersion(apiKey, version), reader);
  const body = readMessage(schemasOf(apiKey).response, version, reader);
  return { correlationId: header['correlationId'] as number, body };
}
