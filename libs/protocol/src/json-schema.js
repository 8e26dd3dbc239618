/**
 * A schema as JSON Schema (OpenAPI 3.1). Named nodes below the top become `$ref`s and are
 * added to `components` (when given), so a document lists each shape once.
 */
export function toJsonSchema(node, components, top = true) {
    let json;
    if (node.name && !top) {
        if (components && !(node.name in components)) {
            components[node.name] = {};
            components[node.name] = toJsonSchema(node, components, true);
        }
        json = { $ref: `#/components/schemas/${node.name}` };
    }
    else
        json = body(node, components);
    if (node.nullable)
        json = { oneOf: [json, { type: 'null' }] };
    if (node.description && (!node.name || top || node.nullable))
        json = { ...json, description: node.description };
    if (node.default !== undefined)
        json = { ...json, default: node.default };
    return json;
}
function body(node, components) {
    const inner = (child) => toJsonSchema(child, components, false);
    switch (node.kind) {
        case 'integer':
        case 'number':
            return {
                type: node.kind,
                ...(node.minimum !== undefined ? { minimum: node.minimum } : {}),
                ...(node.positive ? { exclusiveMinimum: 0 } : {}),
                ...(node.maximum !== undefined ? { maximum: node.maximum } : {}),
            };
        case 'string':
            return {
                type: 'string',
                ...(node.pattern ? { pattern: node.pattern.source } : {}),
                ...(node.minLength !== undefined ? { minLength: node.minLength } : {}),
                ...(node.maxLength !== undefined ? { maxLength: node.maxLength } : {}),
            };
        case 'enum':
            return { type: 'string', enum: [...node.values] };
        case 'boolean':
            return { type: 'boolean', ...(node.const ? { const: true } : {}) };
        case 'array':
            return {
                type: 'array',
                items: inner(node.items),
                ...(node.minItems !== undefined ? { minItems: node.minItems } : {}),
                ...(node.maxItems !== undefined ? { maxItems: node.maxItems } : {}),
            };
        case 'object': {
            if (node.values)
                return { type: 'object', additionalProperties: inner(node.values) };
            const entries = Object.entries(node.properties);
            const required = entries.filter(([, child]) => !child.optional).map(([key]) => key);
            return {
                type: 'object',
                properties: Object.fromEntries(entries.map(([key, child]) => [key, inner(child)])),
                ...(required.length > 0 ? { required } : {}),
                additionalProperties: false,
            };
        }
        case 'oneOf':
            return { oneOf: node.options.map(inner) };
        case 'any':
            return {};
    }
}
//# sourceMappingURL=json-schema.js.map