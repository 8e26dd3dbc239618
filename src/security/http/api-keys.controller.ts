import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { CreateAclRequest, CreateApiKeyRequest } from '@shoal/protocol';
import { InvalidRequestError } from '../../platform/errors/index.js';
import { type AclRule, PatternType } from '../domain/acl.js';
import { ApiKeyService, type ApiKeyView } from '../api-key.service.js';
import type { StoredAcl } from '../storage/security.store.js';

/** API keys: the secret is in the creation answer only; the broker keeps its SHA-256. */
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  create(@Body() body: CreateApiKeyRequest): Promise<ApiKeyView & { key: string }> {
    return this.keys.createKey(body.principal, body.description ?? null);
  }

  @Get()
  async list(): Promise<{ apiKeys: ApiKeyView[] }> {
    return { apiKeys: await this.keys.listKeys() };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string): Promise<void> {
    await this.keys.revokeKey(id);
  }
}

/** ACL allow rules of (principal, resource type, literal or prefix name, operation). */
@Controller('v1/acls')
export class AclsController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  create(@Body() body: CreateAclRequest): Promise<StoredAcl> {
    // The schema's values are the enums' wire strings.
    return this.keys.createAcl({ ...body, patternType: body.patternType ?? PatternType.Literal } as AclRule);
  }

  @Get()
  async list(): Promise<{ acls: StoredAcl[] }> {
    return { acls: await this.keys.listAcls() };
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    if (!/^\d{1,15}$/.test(id)) throw new InvalidRequestError(`ACL id must be a number, got ${id.slice(0, 50)}`);
    await this.keys.deleteAcl(Number(id));
  }
}
