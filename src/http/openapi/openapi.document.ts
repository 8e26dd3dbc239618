import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import {
  COMMON_ERRORS,
  ErrorBody,
  ErrorCode,
  type JsonSchema,
  type Node,
  type ObjectNode,
  ROUTES,
  toJsonSchema,
} from '@shoal/protocol';
import { shoalVersion } from '../../platform/build-info.js';
import { statusOf } from '../error-response.js';

/** Marks an operation the route table does not describe; the OpenAPI check fails on it. */
export const UNDOCUMENTED = 'x-shoal-undocumented';

type Operation = Record<string, unknown> & { responses?: Record<string, unknown> };

/**
 * The OpenAPI 3.1 document: paths, methods and path parameters from the controllers
 * (@nestjs/swagger reads Nest's route metadata); summaries, bodies, queries, answers, error
 * codes and schemas from the protocol's route table ({@link ROUTES}), the one definition of
 * the HTTP contract.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Shoal')
    .setDescription('Share groups and consumer groups over a partitioned durable log. See docs/http-api.md.')
    .setVersion(shoalVersion())
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const schemas: Record<string, JsonSchema> = {};
  const schema = (node: Node) => toJsonSchema(node, schemas, false);
  const error = schema(ErrorBody);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      const route = ROUTES[`${method.toUpperCase()} ${path}`];
      if (!route) {
        operation[UNDOCUMENTED] = true;
        continue;
      }
      operation.summary = route.summary;
      operation.tags = [route.tag];
      operation.security = [{ bearer: [] }, {}];
      if (route.body)
        operation.requestBody = { required: true, content: { 'application/json': { schema: schema(route.body) } } };
      else delete operation.requestBody;
      if (route.query) operation.parameters = [...pathParameters(operation), ...queryParameters(route.query)];
      const answer = route.response;
      operation.responses = {
        [String(route.status)]:
          answer === null
            ? { description: 'No content' }
            : answer === 'text'
              ? { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } }
              : { description: 'OK', content: { 'application/json': { schema: schema(answer) } } },
        ...errorResponses(route.errors, error),
      };
    }
  }
  document.components = { ...document.components, schemas } as never;
  return document;
}

function pathParameters(operation: Operation): unknown[] {
  return ((operation.parameters ?? []) as { in: string }[]).filter((p) => p.in === 'path');
}

function queryParameters(query: ObjectNode): unknown[] {
  return Object.entries(query.properties).map(([name, node]) => ({
    name,
    in: 'query',
    required: !node.optional,
    ...(node.description ? { description: node.description } : {}),
    schema: toJsonSchema({ ...node, description: undefined }),
  }));
}

/** One response per status, listing its codes (`x-error-codes`) and the Error body. */
function errorResponses(codes: ErrorCode[], error: JsonSchema): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...new Set([...codes, ...COMMON_ERRORS])]) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      { description: list.join(', '), 'x-error-codes': list, content: { 'application/json': { schema: error } } },
    ]),
  );
}

/** Serves the document at `/openapi.json` and Swagger UI at `/docs`. */
export function serveOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
}
