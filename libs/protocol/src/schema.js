/*
 * A small schema builder: each HTTP shape is written once, as a value, and gives its
 * TypeScript type (`Static<typeof X>`), its JSON Schema (OpenAPI 3.1, `toJsonSchema`) and, on
 * the broker, its request check. No dependency; only what Shoal's wire shapes need.
 */
export const s = {
    integer: (o = {}) => ({
        kind: 'integer',
        ...o,
    }),
    number: (o = {}) => ({
        kind: 'number',
        ...o,
    }),
    string: (o = {}) => ({
        kind: 'string',
        ...o,
    }),
    enum: (values, o = {}) => ({
        kind: 'enum',
        values,
        ...o,
    }),
    boolean: (o = {}) => ({ kind: 'boolean', ...o }),
    /** A boolean that is only ever `true` when present. */
    true: (o = {}) => ({ kind: 'boolean', const: true, ...o }),
    array: (items, o = {}) => ({ kind: 'array', items, ...o }),
    object: (properties, o = {}) => ({
        kind: 'object',
        properties,
        ...o,
    }),
    /** An object of string keys to `values`. */
    map: (values, o = {}) => ({
        kind: 'object',
        properties: {},
        values,
        ...o,
    }),
    oneOf: (options, o = {}) => ({
        kind: 'oneOf',
        options,
        ...o,
    }),
    /** Any JSON value, typed as `T`. */
    any: (o = {}) => ({ kind: 'any', ...o }),
};
/** The field may be absent. */
export function optional(schema, o = {}) {
    return { ...schema, ...o, optional: true };
}
/** The field may be absent, and is `value` then once checked (`Checked<>` says so). */
export function defaulted(schema, value) {
    return { ...schema, optional: true, default: value, hasDefault: true };
}
/** An object schema's fields, each made optional (a `PATCH`-like body of a shape). */
export function partialProperties(schema) {
    return Object.fromEntries(Object.entries(schema.properties).map(([key, child]) => [key, optional(child)]));
}
/** The field may be `null`. */
export function nullable(schema, o = {}) {
    return { ...schema, ...o, nullable: true };
}
/** The schema with other options (a description, a code) for one use. */
export function withOptions(schema, o) {
    return { ...schema, ...o };
}
/** A named component (a `$ref` where it is used). */
export function named(name, schema, description) {
    return { ...schema, name, ...(description ? { description } : {}) };
}
/** `base`'s fields and `more`'s, as one object (an interface that extends another). */
export function extend(base, more) {
    // A new shape: not the base's component, nor its description.
    return { ...base, name: undefined, description: undefined, properties: { ...base.properties, ...more } };
}
/** A schema's properties, for hand-written checks that must know the same fields. */
export function fieldsOf(schema) {
    return new Set(schema.kind === 'object' ? Object.keys(schema.properties) : []);
}
//# sourceMappingURL=schema.js.map