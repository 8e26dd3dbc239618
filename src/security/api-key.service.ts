import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ShoalConfig, SHOAL_CONFIG } from '../config/shoal-config.js';
import { type Clock, CLOCK } from '../platform/clock.js';
import { InvalidRequestError, NotFoundError } from '../platform/errors/index.js';
import { ADMIN_PRINCIPAL, type AclRule } from './domain/acl.js';
import { issueApiKey, parseApiKey, sameSecret } from './domain/api-key.js';
import { Database } from '../storage/database.js';
import { isStorageUnavailable } from '../storage/storage-error-kind.js';
import { type ApiKeyRow, securityStore, type StoredAcl } from './storage/security.store.js';
import type { ApiKeyView } from '@shoal/protocol';

/** Who a request comes from: `null` when auth is off. */
export interface Principal {
  name: string;
  rules: readonly AclRule[];
}

export type { ApiKeyView };

function view(row: ApiKeyRow): ApiKeyView {
  const { keyId, principal, description, createdAt, revokedAt } = row;
  return { id: keyId, principal, description, createdAt, revokedAt };
}

/**
 * API keys and ACLs. Every check reads the database, so a revoked key or a deleted rule
 * stops working at once, in every broker process.
 */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger(ApiKeyService.name);
  private keysExist = false;

  constructor(
    private readonly database: Database,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Auth is on with `SHOAL_ADMIN_API_KEY` or once any key has been created. `lastKnownOnOutage`
   * (`GET /metrics`, which must answer while the database is down): when the database cannot be
   * asked, the answer it gave last — every request asks it again while it says no, so only a key
   * created in the moment before an outage is missed until the database is back.
   */
  /**
   * Whether a produce may defer its auth check to its own statement (see deferred-auth.ts): on
   * PostgreSQL, with no admin key and no key seen so far.
   */
  get deferrable(): boolean {
    return this.database.kind === 'postgres' && !this.config.security?.adminApiKey && !this.keysExist;
  }

  /** A deferred check found a key: auth stays on from now. */
  keysAppeared(): void {
    this.keysExist = true;
  }

  async authEnabled(lastKnownOnOutage = false): Promise<boolean> {
    if (this.config.security?.adminApiKey || this.keysExist) return true;
    // Keys are revoked, never deleted: once one exists, auth stays on, so only "no" is asked again.
    try {
      this.keysExist = await this.database.peek((sql) => securityStore.anyKey(sql));
    } catch (error) {
      if (!lastKnownOnOutage || !isStorageUnavailable(error)) throw error;
    }
    return this.keysExist;
  }

  /** The principal a bearer key belongs to, or null for an unknown, malformed or revoked key. */
  async authenticate(key: string): Promise<Principal | null> {
    const admin = this.config.security?.adminApiKey;
    if (admin && sameSecret(key, hashOf(admin))) {
      return { name: ADMIN_PRINCIPAL, rules: [] };
    }
    const parsed = parseApiKey(key);
    if (!parsed) return null;
    return this.database.peek(async (sql) => {
      const row = await securityStore.findKey(sql, parsed.id);
      if (!row || row.revokedAt !== null || !sameSecret(parsed.secret, row.secretHash)) return null;
      return { name: row.principal, rules: await securityStore.aclsOf(sql, row.principal) };
    });
  }

  async createKey(principal: string, description: string | null): Promise<ApiKeyView & { key: string }> {
    if (principal === ADMIN_PRINCIPAL) throw new InvalidRequestError(`principal ${ADMIN_PRINCIPAL} is reserved`);
    const issued = issueApiKey();
    const row: ApiKeyRow = {
      keyId: issued.id,
      principal,
      secretHash: issued.secretHash,
      description,
      createdAt: this.clock.now(),
      revokedAt: null,
    };
    await this.database.transaction((sql) => securityStore.insertKey(sql, row));
    this.keysExist = true;
    this.logger.log(`API key ${issued.id} created for principal ${principal}`);
    return { ...view(row), key: issued.key };
  }

  async listKeys(): Promise<ApiKeyView[]> {
    return (await this.database.run((sql) => securityStore.listKeys(sql))).map(view);
  }

  async revokeKey(id: string): Promise<void> {
    const revoked = await this.database.transaction((sql) => securityStore.revokeKey(sql, id, this.clock.now()));
    if (!revoked) throw new NotFoundError(`API key ${id} does not exist or is already revoked`);
    this.logger.log(`API key ${id} revoked`);
  }

  createAcl(rule: AclRule): Promise<StoredAcl> {
    return this.database.transaction((sql) => securityStore.insertAcl(sql, rule, this.clock.now()));
  }

  listAcls(): Promise<StoredAcl[]> {
    return this.database.run((sql) => securityStore.listAcls(sql));
  }

  async deleteAcl(id: number): Promise<void> {
    if (!(await this.database.transaction((sql) => securityStore.deleteAcl(sql, id))))
      throw new NotFoundError(`ACL ${id} does not exist`);
  }

  /** Remembers who joined a member, so no other principal can act as it. */
  recordOwner(memberId: string, principal: string): Promise<void> {
    return this.database.transaction((sql) => securityStore.recordOwner(sql, memberId, principal, this.clock.now()));
  }

  ownerOf(memberId: string): Promise<string | null> {
    return this.database.run((sql) => securityStore.ownerOf(sql, memberId));
  }
}

const adminHashes = new Map<string, string>();

function hashOf(key: string): string {
  let hash = adminHashes.get(key);
  if (!hash) {
    hash = createHash('sha256').update(key).digest('hex');
    adminHashes.set(key, hash);
  }
  return hash;
}
