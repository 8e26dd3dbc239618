import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { KafkaCodecError } from './kafka-codec.error.js';
import type { FieldSchema, MessageSchema } from './message-schema.js';
import { ZERO_UUID, uuidToBytes, uuidToString } from './uuid.js';
import { inVersions } from './versions.js';

/**
 * Reads and writes one message body by its schema at one version: every field the version has,
 * in order, then (in flexible versions) the tagged fields. Fields the version lacks are filled
 * with their defaults on read and left out on write.
 */
interface Context {
  version: number;
  flexible: boolean;
  structs: Map<string, readonly FieldSchema[]>;
}

type Value = unknown;
type Struct = Record<string, Value>;

/** The number types: ByteReader and ByteWriter have a method of each name. */
type NumberType = 'int8' | 'int16' | 'uint16' | 'int32' | 'int64' | 'float64';
const NUMBERS = new Set<string>(['int8', 'int16', 'uint16', 'int32', 'int64', 'float64'] satisfies NumberType[]);
const PRIMITIVES = new Set([...NUMBERS, 'bool', 'uuid', 'string', 'bytes', 'records']);

export function fieldKey(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function contextOf(schema: MessageSchema, version: number): Context {
  const structs = new Map((schema.commonStructs ?? []).map((s) => [s.name, s.fields]));
  return { version, flexible: inVersions(schema.flexibleVersions, version), structs };
}

export function readMessage(schema: MessageSchema, version: number, reader: ByteReader): Struct {
  return readStruct(reader, schema.fields, contextOf(schema, version));
}

export function writeMessage(schema: MessageSchema, version: number, writer: ByteWriter, value: Struct): void {
  writeStruct(writer, schema.fields, contextOf(schema, version), value);
}

function structFields(field: FieldSchema, type: string, ctx: Context): readonly FieldSchema[] {
  const fields = field.fields ?? ctx.structs.get(type);
  if (fields === undefined) throw new KafkaCodecError(`schema: unknown type ${type} of ${field.name}`);
  return fields;
}

function isTagged(field: FieldSchema, ctx: Context): boolean {
  return ctx.flexible && field.tag !== undefined && inVersions(field.taggedVersions, ctx.version);
}

function fieldFlexible(field: FieldSchema, ctx: Context): boolean {
  return ctx.flexible && field.flexibleVersions !== 'none';
}

// ---- defaults ----

export function defaultValue(field: FieldSchema, ctx?: Context): Value {
  const given = field.default;
  if (given === 'null') return null;
  const type = field.type;
  if (type.startsWith('[]')) return [];
  switch (type) {
    case 'bool':
      return given === true || given === 'true';
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'int64':
    case 'float64':
      return given === undefined ? 0 : Number(given);
    case 'string':
      return given === undefined ? '' : String(given);
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'uuid':
      return ZERO_UUID;
    default: {
      const fields = field.fields ?? ctx?.structs.get(type) ?? [];
      return Object.fromEntries(fields.map((f) => [fieldKey(f.name), defaultValue(f, ctx)]));
    }
  }
}

// ---- reading ----

function readStruct(reader: ByteReader, fields: readonly FieldSchema[], ctx: Context): Struct {
  const out: Struct = {};
  for (const field of fields) {
    const key = fieldKey(field.name);
    if (!inVersions(field.versions, ctx.version) || isTagged(field, ctx)) {
      out[key] = defaultValue(field, ctx);
      continue;
    }
    out[key] = readValue(reader, field, field.type, ctx);
  }
  if (ctx.flexible) readTaggedFields(reader, fields, ctx, out);
  return out;
}

function readTaggedFields(reader: ByteReader, fields: readonly FieldSchema[], ctx: Context, out: Struct): void {
  const count = reader.count(reader.uvarint());
  for (let i = 0; i < count; i++) {
    const tag = reader.uvarint();
    const data = reader.bytes(reader.uvarint());
    const field = fields.find((f) => f.tag === tag && isTagged(f, ctx) && inVersions(f.versions, ctx.version));
    if (field) out[fieldKey(field.name)] = readValue(new ByteReader(data), field, field.type, ctx);
  }
}

function readValue(reader: ByteReader, field: FieldSchema, type: string, ctx: Context): Value {
  const nullable = inVersions(field.nullableVersions, ctx.version);
  const flexible = fieldFlexible(field, ctx);
  if (type.startsWith('[]')) {
    const length = flexible ? reader.uvarint() - 1 : reader.int32();
    if (length < 0) return nullOrThrow(nullable, field);
    const elementType = type.slice(2);
    const items: Value[] = [];
    for (let i = reader.count(length); i > 0; i--) {
      items.push(
        PRIMITIVES.has(elementType)
          ? readPrimitive(reader, field, elementType, false, flexible)
          : readStruct(reader, structFields(field, elementType, ctx), ctx),
      );
    }
    return items;
  }
  if (PRIMITIVES.has(type)) return readPrimitive(reader, field, type, nullable, flexible);
  if (nullable && reader.int8() < 0) return null;
  return readStruct(reader, structFields(field, type, ctx), ctx);
}

function nullOrThrow(nullable: boolean, field: FieldSchema): null {
  if (!nullable) throw new KafkaCodecError(`${field.name} is null but not nullable`);
  return null;
}

function readPrimitive(
  reader: ByteReader,
  field: FieldSchema,
  type: string,
  nullable: boolean,
  flexible: boolean,
): Value {
  if (NUMBERS.has(type)) return reader[type as NumberType]();
  switch (type) {
    case 'bool':
      return reader.int8() !== 0;
    case 'uuid':
      return uuidToString(reader.bytes(16));
    case 'string': {
      const length = flexible ? reader.uvarint() - 1 : reader.int16();
      if (length < 0) return nullOrThrow(nullable, field);
      return reader.bytes(length).toString('utf8');
    }
    default: {
      // bytes and records
      const length = flexible ? reader.uvarint() - 1 : reader.int32();
      if (length < 0) return nullOrThrow(nullable, field);
      return Buffer.from(reader.bytes(length));
    }
  }
}

// ---- writing ----

function writeStruct(
  writer: ByteWriter,
  fields: readonly FieldSchema[],
  ctx: Context,
  value: Struct | null | undefined,
): void {
  const source = value ?? {};
  const tagged: FieldSchema[] = [];
  for (const field of fields) {
    if (!inVersions(field.versions, ctx.version)) continue;
    if (isTagged(field, ctx)) {
      if (differsFromDefault(source[fieldKey(field.name)], field, ctx)) tagged.push(field);
      continue;
    }
    writeValue(writer, field, field.type, ctx, valueOf(source, field, ctx));
  }
  if (!ctx.flexible) return;
  tagged.sort((a, b) => a.tag! - b.tag!);
  writer.uvarint(tagged.length);
  for (const field of tagged) {
    const inner = new ByteWriter(64);
    writeValue(inner, field, field.type, ctx, source[fieldKey(field.name)]);
    writer.uvarint(field.tag!);
    writer.uvarint(inner.offset);
    writer.bytes(inner.result());
  }
}

function valueOf(source: Struct, field: FieldSchema, ctx: Context): Value {
  const value = source[fieldKey(field.name)];
  return value === undefined ? defaultValue(field, ctx) : value;
}

function differsFromDefault(value: Value, field: FieldSchema, ctx: Context): boolean {
  if (value === undefined) return false;
  const fallback = defaultValue(field, ctx);
  if (Array.isArray(value)) return value.length > 0 || fallback === null;
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return JSON.stringify(value) !== JSON.stringify(fallback);
  }
  return value !== fallback;
}

function writeValue(writer: ByteWriter, field: FieldSchema, type: string, ctx: Context, value: Value): void {
  const nullable = inVersions(field.nullableVersions, ctx.version);
  const flexible = fieldFlexible(field, ctx);
  if (type.startsWith('[]')) {
    if (value === null) {
      if (!nullable) throw new KafkaCodecError(`${field.name} is null but not nullable`);
      return flexible ? writer.uvarint(0) : writer.int32(-1);
    }
    if (!Array.isArray(value)) throw new KafkaCodecError(`${field.name} is not an array`);
    if (flexible) writer.uvarint(value.length + 1);
    else writer.int32(value.length);
    const elementType = type.slice(2);
    for (const item of value) {
      if (PRIMITIVES.has(elementType)) writePrimitive(writer, field, elementType, false, flexible, item);
      else writeStruct(writer, structFields(field, elementType, ctx), ctx, item as Struct);
    }
    return;
  }
  if (PRIMITIVES.has(type)) return writePrimitive(writer, field, type, nullable, flexible, value);
  if (nullable) {
    writer.int8(value === null ? -1 : 1);
    if (value === null) return;
  }
  writeStruct(writer, structFields(field, type, ctx), ctx, value as Struct);
}

function writePrimitive(
  writer: ByteWriter,
  field: FieldSchema,
  type: string,
  nullable: boolean,
  flexible: boolean,
  value: Value,
): void {
  if (type === 'int64') return writer.int64(typeof value === 'bigint' ? value : Math.trunc(Number(value)));
  if (NUMBERS.has(type)) return writer[type as Exclude<NumberType, 'int64'>](Number(value));
  if (type === 'bool') return writer.int8(value ? 1 : 0);
  if (type === 'uuid') return writer.bytes(uuidToBytes(value ?? ZERO_UUID));
  // string, bytes and records: a length, then the bytes
  if (value === null || value === undefined) {
    if (!nullable) throw new KafkaCodecError(`${field.name} is null but not nullable`);
    if (flexible) writer.uvarint(0);
    else if (type === 'string') writer.int16(-1);
    else writer.int32(-1);
    return;
  }
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : (value as Uint8Array);
  if (!(bytes instanceof Uint8Array)) throw new KafkaCodecError(`${field.name} is not ${type}`);
  if (flexible) writer.uvarint(bytes.length + 1);
  else if (type === 'string') {
    if (bytes.length > 0x7fff) throw new KafkaCodecError(`${field.name} is longer than 32767 bytes`);
    writer.int16(bytes.length);
  } else writer.int32(bytes.length);
  writer.bytes(bytes);
}
