import { extend, named, nullable, optional, s } from './schema.js';
/** A principal's name: letters, digits and `._@-`, as names elsewhere. */
export const PRINCIPAL_PATTERN = /^[a-zA-Z0-9._@-]{1,249}$/;
const principal = s.string({ pattern: PRINCIPAL_PATTERN });
/** `POST /v1/api-keys` body: a key for `principal`. */
export const CreateApiKeyRequest = named('CreateApiKeyRequest', s.object({ principal, description: optional(s.string({ maxLength: 1_000 }), { skipNull: true }) }));
/** An API key as the broker lists it: never the key itself. */
export const ApiKeyView = named('ApiKey', s.object({
    id: s.string(),
    principal: s.string(),
    description: nullable(s.string()),
    createdAt: s.integer({ minimum: 0 }),
    revokedAt: nullable(s.integer({ minimum: 0 })),
}));
/** `POST /v1/api-keys` answer: the whole key, shown this once. */
export const CreatedApiKey = named('CreatedApiKey', extend(ApiKeyView, { key: s.string({ description: 'the whole key, shown only now' }) }));
export const ApiKeyList = named('ApiKeyList', s.object({ apiKeys: s.array(ApiKeyView) }));
const resourceType = s.enum(['topic', 'group', 'cluster']);
const patternType = s.enum(['literal', 'prefix'], {
    description: '`literal` (default) matches the name exactly; `prefix` every name starting with it',
});
const operation = s.enum(['produce', 'read', 'consume', 'admin']);
const resourceName = s.string({ minLength: 1, maxLength: 249 });
/** `POST /v1/acls` body: an allow rule. */
export const CreateAclRequest = named('CreateAclRequest', s.object({
    principal,
    resourceType,
    patternType: optional(patternType, { skipNull: true }),
    resourceName,
    operation,
}));
/** An allow rule as the broker lists it. */
export const AclView = named('Acl', s.object({
    id: s.integer({ minimum: 0 }),
    principal: s.string(),
    resourceType,
    patternType,
    resourceName,
    operation,
}));
export const AclList = named('AclList', s.object({ acls: s.array(AclView) }));
//# sourceMappingURL=security.js.map