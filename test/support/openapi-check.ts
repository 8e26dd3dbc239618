import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { UNDOCUMENTED } from '../../src/http/openapi/openapi.document.js';

/** Paths the broker serves that are not API routes: the console, Swagger UI and the document itself. */
const NOT_API = /^\/(console|docs|openapi\.json)(\/|$|\.)/;

/** Records every route Fastify registers: call before the app is initialised. */
export function recordRoutes(app: NestFastifyApplication): string[] {
  const routes: string[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (method === 'HEAD' || method === 'OPTIONS' || NOT_API.test(route.url)) continue;
        routes.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
      }
    });
  return routes;
}

/** Served routes missing from the document, or in it without documentation. */
export function undocumentedRoutes(document: OpenAPIObject, served: string[]): string[] {
  return served.filter((route) => {
    const [method, path] = route.split(' ');
    const operation = (document.paths[path] as Record<string, Record<string, unknown>> | undefined)?.[
      method.toLowerCase()
    ];
    return !operation || operation[UNDOCUMENTED] === true;
  });
}

/** `METHOD /path` of every route docs/http-api.md names, parameters as `{}`. */
export function routesInReference(markdown: string): string[] {
  const found = markdown.matchAll(/\b(GET|POST|PATCH|DELETE|PUT) (\/[A-Za-z0-9/{}_.-]+)/g);
  const api = [...found].filter(([, , path]) => !NOT_API.test(path));
  return [...new Set(api.map(([, method, path]) => `${method} ${normalise(path)}`))];
}

/** A route with its parameter names blanked, so `{p}` and `{partition}` compare equal. */
export function normalise(path: string): string {
  return path.replace(/\{[^}]*\}?/g, '{}').replace(/\/$/, '');
}
