import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NAME_PATTERN } from '@shoal/protocol';
import { type ShoalConfig, SHOAL_CONFIG } from '../../config/shoal-config.js';
import { ForbiddenError, UnauthenticatedError } from '../../platform/errors/index.js';
import { allows, isSuperuser, type Permission } from '../domain/acl.js';
import { publicMemberId } from '../domain/member-id.js';
import { ApiKeyService, type Principal } from '../api-key.service.js';
import { type RouteRequest, ruleFor } from './route-permissions.js';
import { deferredAuth } from '../deferred-auth.js';

/** The routes whose auth check may ride on their own statement (see deferred-auth.ts), by the path parameter named. */
const DEFERRABLE_ROUTES = new Map<string, 'topic' | 'group'>([
  ['POST /v1/topics/:topic/records', 'topic'],
  ['POST /v1/share-groups/:group/members/:memberId/fetch', 'group'],
]);

/** The principal of each authenticated request (absent when auth is off). */
export const requestPrincipals = new WeakMap<object, Principal>();

/** `METHOD /route/:template` of a request. */
export function routeKey(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url}`;
}

function describe(p: Permission): string {
  return `${p.operation} on ${p.resourceType} ${p.resourceType === 'cluster' ? '' : p.name}`.trim();
}

/**
 * Every request but `/health` (and `/metrics` when `SHOAL_METRICS_PUBLIC`) needs
 * `Authorization: Bearer <key>` once auth is on; then the route's permissions (ROUTE_RULES)
 * and, on member routes, being the principal that joined the member.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyService,
    @Inject(SHOAL_CONFIG) private readonly config: ShoalConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = routeKey(request);
    const rule = ruleFor(key);
    if (rule.public || (key === 'GET /metrics' && this.config.security?.metricsPublic)) return true;
    const param = DEFERRABLE_ROUTES.get(key);
    const name = param && (request.params as Record<string, string | undefined> | undefined)?.[param];
    if (name !== undefined && this.keys.deferrable && NAME_PATTERN.test(name)) {
      // No key known here: the produce's (or the fetch's first) statement checks that none exists
      // (PostgreSQL). A request that fails before it gets the check it would have got here (see deferred-auth.ts).
      deferredAuth.defer(request, async (keySeen) => {
        if (keySeen) this.keys.keysAppeared();
        if (await this.keys.authEnabled()) await this.authorize(request, key, rule);
      });
      return true;
    }
    if (!(await this.keys.authEnabled(key === 'GET /metrics'))) return true;
    await this.authorize(request, key, rule);
    return true;
  }

  /** The check once auth is on: the key, the route's permissions, the member's owner. */
  private async authorize(request: FastifyRequest, key: string, rule: ReturnType<typeof ruleFor>): Promise<void> {
    const principal = await this.principalOf(request.headers.authorization);
    requestPrincipals.set(request, principal);
    if (isSuperuser(principal.name, principal.rules)) return;
    const routeRequest = { params: (request.params ?? {}) as RouteRequest['params'], body: request.body };
    const missing = rule.permissions(routeRequest).filter((p) => !allows(principal.rules, p));
    if (missing.length > 0) {
      throw new ForbiddenError(`principal ${principal.name} needs ${missing.map(describe).join(', ')}`);
    }
    const memberId = rule.member?.(routeRequest);
    if (memberId !== undefined) await this.checkOwner(memberId, principal);
  }

  private async principalOf(header: string | undefined): Promise<Principal> {
    const match = /^Bearer +(\S+) *$/i.exec(header ?? '');
    if (!match) throw new UnauthenticatedError();
    const principal = await this.keys.authenticate(match[1]);
    if (!principal) throw new UnauthenticatedError('the API key is unknown or revoked');
    return principal;
  }

  private async checkOwner(memberId: string, principal: Principal): Promise<void> {
    const owner = await this.keys.ownerOf(memberId);
    if (owner !== null && owner !== principal.name) {
      throw new ForbiddenError(`member ${publicMemberId(memberId)} belongs to another principal`);
    }
  }
}
