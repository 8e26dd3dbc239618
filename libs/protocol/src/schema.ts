/*
 * A small schema builder: each HTTP shape is written once, as a value, and gives its
 * TypeScript type (`Static<typeof X>`), its JSON Schema (OpenAPI 3.1, `toJsonSchema`) and, on
 * the broker, its request check. No dependency; only what Shoal's wire shapes need.
 */

/** The key of a schema's type (types only: never set at run time). */
type STATIC = '~static';

/** What a field's failures answer with when it does not say otherwise. */
export type ProblemCode = 'INVALID_REQUEST' | 'INVALID_NAME' | 'INVALID_PARTITIONS' | 'INVALID_CONFIG';

export interface Common {
  description?: string;
  /** The error code this node's own failures answer with; children inherit it. */
  code?: ProblemCode;
  /** A component name: the OpenAPI document refers to it as `#/components/schemas/<name>`. */
  name?: string;
  /** In an object: the field may be absent. */
  optional?: boolean;
  /** `null` is a value of this field (the type says `| null`). */
  nullable?: boolean;
  /** `null` is let through unchecked, as absent would be (class-validator's `IsOptional`). */
  skipNull?: boolean;
  /** The value an absent field takes once checked (`defaulted`). */
  default?: unknown;
  hasDefault?: boolean;
}

export type NumberNode = Common & {
  kind: 'integer' | 'number';
  minimum?: number;
  maximum?: number;
  positive?: boolean;
};
export type StringNode = Common & { kind: 'string'; pattern?: RegExp; minLength?: number; maxLength?: number };
export type EnumNode = Common & { kind: 'enum'; values: readonly string[] };
export type BooleanNode = Common & { kind: 'boolean'; const?: true };
export type ArrayNode = Common & { kind: 'array'; items: Node; minItems?: number; maxItems?: number };
export type ObjectNode = Common & { kind: 'object'; properties: Record<string, Node>; values?: Node };
export type OneOfNode = Common & { kind: 'oneOf'; options: Node[] };
export type AnyNode = Common & { kind: 'any' };
export type Node = NumberNode | StringNode | EnumNode | BooleanNode | ArrayNode | ObjectNode | OneOfNode | AnyNode;

/** A node that carries the TypeScript type it stands for. */
export type Schema<T = unknown, N extends Node = Node> = N & { readonly [K in STATIC]?: T };
/** The TypeScript type of a schema. */
export type Static<S> = S extends { readonly [K in STATIC]?: infer T } ? T : never;
/** `S` standing for another type. */
type Retyped<S, T> = Omit<S, STATIC> & { readonly [K in STATIC]?: T };

type Flat<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<P> = { [K in keyof P]: P[K] extends { optional: true } ? K : never }[keyof P];
type ObjectOf<P> = Flat<
  { -readonly [K in Exclude<keyof P, OptionalKeys<P>>]: Static<P[K]> } & {
    -readonly [K in OptionalKeys<P>]?: Static<P[K]>;
  }
>;

export type Options = Omit<Common, 'optional' | 'nullable'>;

export const s = {
  integer: (
    o: Options & { minimum?: number; maximum?: number; positive?: boolean } = {},
  ): Schema<number, NumberNode> => ({
    kind: 'integer',
    ...o,
  }),
  number: (o: Options & { minimum?: number; maximum?: number } = {}): Schema<number, NumberNode> => ({
    kind: 'number',
    ...o,
  }),
  string: (
    o: Options & { pattern?: RegExp; minLength?: number; maxLength?: number } = {},
  ): Schema<string, StringNode> => ({
    kind: 'string',
    ...o,
  }),
  enum: <const V extends readonly string[]>(values: V, o: Options = {}): Schema<V[number], EnumNode> => ({
    kind: 'enum',
    values,
    ...o,
  }),
  boolean: (o: Options = {}): Schema<boolean, BooleanNode> => ({ kind: 'boolean', ...o }),
  /** A boolean that is only ever `true` when present. */
  true: (o: Options = {}): Schema<true, BooleanNode> => ({ kind: 'boolean', const: true, ...o }),
  array: <S extends Node>(
    items: S,
    o: Options & { minItems?: number; maxItems?: number } = {},
  ): Schema<Static<S>[], ArrayNode> => ({ kind: 'array', items, ...o }),
  object: <P extends Record<string, Node>>(
    properties: P,
    o: Options = {},
  ): Schema<ObjectOf<P>, ObjectNode & { readonly '~properties'?: P }> => ({
    kind: 'object',
    properties,
    ...o,
  }),
  /** An object of string keys to `values`. */
  map: <S extends Node>(values: S, o: Options = {}): Schema<Record<string, Static<S>>, ObjectNode> => ({
    kind: 'object',
    properties: {},
    values,
    ...o,
  }),
  oneOf: <S extends Node[]>(options: S, o: Options = {}): Schema<Static<S[number]>, OneOfNode> => ({
    kind: 'oneOf',
    options,
    ...o,
  }),
  /** Any JSON value, typed as `T`. */
  any: <T>(o: Options = {}): Schema<T, AnyNode> => ({ kind: 'any', ...o }),
};

/** The field may be absent. */
export function optional<S extends Node>(schema: S, o: Options = {}): S & { readonly optional: true } {
  return { ...schema, ...o, optional: true };
}

/** The field may be absent, and is `value` then once checked (`Checked<>` says so). */
export function defaulted<S extends Node>(
  schema: S,
  value: Static<S>,
): S & { readonly optional: true; readonly hasDefault: true } {
  return { ...schema, optional: true, default: value, hasDefault: true } as S & {
    readonly optional: true;
    readonly hasDefault: true;
  };
}

type DefaultKeys<P> = { [K in keyof P]: P[K] extends { hasDefault: true } ? K : never }[keyof P];
/** What a checked request holds: an object's defaulted fields are always there. */
export type Checked<S> = S extends { readonly '~properties'?: infer P }
  ? Flat<Static<S> & { [K in DefaultKeys<P>]-?: Exclude<Static<P[K]>, undefined> }>
  : Static<S>;

type PropertiesOf<S> = S extends { readonly '~properties'?: infer P } ? P : never;

/** An object schema's fields, each made optional (a `PATCH`-like body of a shape). */
export function partialProperties<S extends ObjectNode>(
  schema: S,
): { [K in keyof PropertiesOf<S>]: PropertiesOf<S>[K] & { readonly optional: true } } {
  return Object.fromEntries(Object.entries(schema.properties).map(([key, child]) => [key, optional(child)])) as never;
}

/** The field may be `null`. */
export function nullable<S extends Node>(schema: S, o: Options = {}): Retyped<S, Static<S> | null> {
  return { ...schema, ...o, nullable: true } as Retyped<S, Static<S> | null>;
}

/** The schema with other options (a description, a code) for one use. */
export function withOptions<S extends Node>(schema: S, o: Options): S {
  return { ...schema, ...o };
}

/** A named component (a `$ref` where it is used). */
export function named<S extends Node>(name: string, schema: S, description?: string): S {
  return { ...schema, name, ...(description ? { description } : {}) };
}

/** `base`'s fields and `more`'s, as one object (an interface that extends another). */
export function extend<B extends ObjectNode, P extends Record<string, Node>>(
  base: B,
  more: P,
): Schema<Flat<Static<B> & ObjectOf<P>>, ObjectNode> {
  // A new shape: not the base's component, nor its description.
  return { ...base, name: undefined, description: undefined, properties: { ...base.properties, ...more } };
}

/** A schema's properties, for hand-written checks that must know the same fields. */
export function fieldsOf(schema: Node): ReadonlySet<string> {
  return new Set(schema.kind === 'object' ? Object.keys(schema.properties) : []);
}
