import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { ApiKeyService } from '../api-key.service.js';
import { requestPrincipals, routeKey } from './auth.guard.js';
import { JOIN_ROUTES } from './route-permissions.js';

/**
 * After a join by an authenticated principal, records it as the new member's owner. On the two
 * join routes only (`@UseInterceptors`): a global interceptor put every request through rxjs.
 */
@Injectable()
export class MemberOwnerInterceptor implements NestInterceptor {
  constructor(private readonly keys: ApiKeyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = requestPrincipals.get(request);
    if (!principal || !JOIN_ROUTES.has(routeKey(request))) return next.handle();
    return next.handle().pipe(
      mergeMap((answer: unknown) =>
        from(
          (async () => {
            const memberId = (answer as { memberId?: unknown } | null)?.memberId;
            if (typeof memberId === 'string') await this.keys.recordOwner(memberId, principal.name);
            return answer;
          })(),
        ),
      ),
    );
  }
}
