import type { FieldSchema, MessageSchema, StructSchema } from './message-schema.js';

/**
 * The TypeScript shape of a message, derived from its schema (the schemas are `as const`): a
 * key per field (first letter lower-cased), typed by the field's `type`, null where the field
 * is nullable. A request is what the codec reads: every field, those the version lacks at
 * their defaults. A response is what a handler hands the codec: any field may be left out (the
 * codec writes its default), a uuid may be a string or 16 bytes, an int64 a number or bigint.
 */
type Mode = 'read' | 'write';

type Numeric = 'int8' | 'int16' | 'uint16' | 'int32' | 'float64';

type Primitive<T extends string, M extends Mode> = T extends 'bool'
  ? boolean
  : T extends Numeric
    ? number
    : T extends 'int64'
      ? M extends 'read'
        ? number
        : number | bigint
      : T extends 'string'
        ? string
        : T extends 'uuid'
          ? M extends 'read'
            ? string
            : string | Buffer
          : T extends 'bytes'
            ? Buffer
            : T extends 'records'
              ? Buffer | null
              : never;

type PrimitiveName = 'bool' | Numeric | 'int64' | 'string' | 'uuid' | 'bytes' | 'records';

/** One value of a field's type (an array's element), a common struct looked up by name. */
type Element<F extends FieldSchema, T extends string, C extends StructSchema, M extends Mode> = F extends {
  fields: infer Fs extends readonly FieldSchema[];
}
  ? Fields<Fs, C, M>
  : T extends PrimitiveName
    ? Primitive<T, M>
    : Extract<C, { name: T }> extends { fields: infer Fs extends readonly FieldSchema[] }
      ? Fields<Fs, C, M>
      : unknown;

type FieldValue<F extends FieldSchema, C extends StructSchema, M extends Mode> =
  | (F['type'] extends `[]${infer E}` ? Element<F, E, C, M>[] : Element<F, F['type'], C, M>)
  | (F extends { nullableVersions: string } ? null : never);

type Fields<Fs extends readonly FieldSchema[], C extends StructSchema, M extends Mode> = M extends 'read'
  ? { [F in Fs[number] as Uncapitalize<F['name']>]: FieldValue<F, C, M> }
  : { [F in Fs[number] as Uncapitalize<F['name']>]?: FieldValue<F, C, M> };

type CommonStructs<S extends MessageSchema> = S['commonStructs'] extends readonly (infer C extends StructSchema)[]
  ? C
  : never;

/** A decoded request of schema `S`. */
export type KafkaRequest<S extends MessageSchema> = Fields<S['fields'], CommonStructs<S>, 'read'>;

/** A response of schema `S`, as a handler answers it. */
export type KafkaResponse<S extends MessageSchema> = Fields<S['fields'], CommonStructs<S>, 'write'>;
