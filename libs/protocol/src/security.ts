/** `POST /v1/api-keys` body: a key for `principal`. */
export interface CreateApiKeyRequest {
  principal: string;
  description?: string;
}

/** An API key as the broker lists it: never the key itself. */
export interface ApiKeyView {
  id: string;
  principal: string;
  description: string | null;
  createdAt: number;
  revokedAt: number | null;
}

/** `POST /v1/api-keys` answer: the whole key, shown this once. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}

/** `POST /v1/acls` body: an allow rule. */
export interface CreateAclRequest {
  principal: string;
  resourceType: 'topic' | 'group' | 'cluster';
  /** `literal` (default) matches the name exactly; `prefix` every name starting with it. */
  patternType?: 'literal' | 'prefix';
  resourceName: string;
  operation: 'produce' | 'read' | 'consume' | 'admin';
}

/** An allow rule as the broker lists it. */
export interface AclView extends Required<CreateAclRequest> {
  id: number;
}
