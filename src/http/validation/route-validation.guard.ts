import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ROUTES, type Route } from '@shoal/protocol';
import { InvalidRequestError } from '../../platform/errors/index.js';
import { checked } from './schema-check.js';
import { assertName, isPartitionText } from './validators.js';

/** What each path parameter must be, by its name in the route table's paths. */
const PATH_PARAMETERS: Record<string, (value: string) => void> = {
  topic: (value) => assertName('topic', value),
  group: (value) => assertName('group', value),
  name: (value) => assertName('schedule', value),
  partition: (value) => {
    if (!isPartitionText(value))
      throw new InvalidRequestError(`partition must be a non-negative integer, got ${value}`);
  },
};

/** The route table by Fastify's `METHOD /path/:param`. */
const BY_FASTIFY_PATH = new Map<string, Route>(
  Object.entries(ROUTES).map(([key, route]) => [key.replace(/\{(\w+)\}/g, ':$1'), route]),
);

/**
 * Checks every request against its route in the protocol's route table: a global guard, after
 * the auth guard and before any interceptor, pipe or handler (no rxjs on the hot path): path parameters first (a bad name is INVALID_NAME before anything
 * else), then the query, then the body (unless the route's own parser checks it). The handler
 * receives the checked copies, defaults filled in.
 */
@Injectable()
export class RouteValidationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http') validate(context.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }
}

function validate(request: FastifyRequest): void {
  const route = BY_FASTIFY_PATH.get(`${request.method} ${request.routeOptions.url}`);
  if (!route) return;
  const params = request.params as Record<string, string>;
  for (const [name, value] of Object.entries(params)) PATH_PARAMETERS[name]?.(value);
  if (route.query) request.query = checked(route.query, request.query, 'query');
  if (route.body?.kind === 'object' && !route.bodyParser) request.body = checked(route.body, request.body, 'body');
}
