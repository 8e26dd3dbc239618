import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorCode } from '@shoal/protocol';
import { shoalVersion } from '../../platform/build-info.js';
import { statusOf } from '../error-response.js';
import { SCHEMAS, ref } from './openapi.schemas.js';
import { COMMON_ERRORS, ROUTE_DOCS } from './route-docs.js';

/** Marks an operation the route table does not describe; the OpenAPI check fails on it. */
export const UNDOCUMENTED = 'x-shoal-undocumented';

type Operation = Record<string, unknown> & { responses?: Record<string, unknown> };

/**
 * The OpenAPI 3.1 document: paths, methods and parameters from the controllers
 * (@nestjs/swagger reads Nest's route metadata), summaries, bodies, answers and error codes
 * from {@link ROUTE_DOCS}, schemas from the protocol's types.
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
  document.components = { ...document.components, schemas: { ...SCHEMAS, ErrorCode: errorCodeSchema() } } as never;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      const doc = ROUTE_DOCS[`${method.toUpperCase()} ${path}`];
      if (!doc) {
        operation[UNDOCUMENTED] = true;
        continue;
      }
      operation.summary = doc.summary;
      operation.tags = [doc.tag];
      operation.security = [{ bearer: [] }, {}];
      if (doc.body)
        operation.requestBody = { required: true, content: { 'application/json': { schema: ref(doc.body) } } };
      else delete operation.requestBody;
      if (doc.query) operation.parameters = [...pathParameters(operation), ...queryParameters(doc.query)];
      operation.responses = { [String(doc.status)]: success(doc.response, path), ...errorResponses(doc.errors) };
    }
  }
  return document;
}

function pathParameters(operation: Operation): unknown[] {
  return ((operation.parameters ?? []) as { in: string }[]).filter((p) => p.in === 'path');
}

function queryParameters(query: Record<string, string>): unknown[] {
  return Object.entries(query).map(([name, description]) => ({
    name,
    in: 'query',
    required: name === 'timestamp',
    description,
    schema: name === 'after' ? { type: 'string' } : { type: 'integer', minimum: 0 },
  }));
}

function success(schema: string | null, path: string): Record<string, unknown> {
  if (schema) return { description: 'OK', content: { 'application/json': { schema: ref(schema) } } };
  if (path === '/metrics')
    return { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } };
  return { description: 'No content' };
}

/** One response per status, listing its codes (`x-error-codes`) and the Error body. */
function errorResponses(codes: ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...new Set([...codes, ...COMMON_ERRORS])]) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: list.join(', '),
        'x-error-codes': list,
        content: { 'application/json': { schema: ref('Error') } },
      },
    ]),
  );
}

function errorCodeSchema(): Record<string, unknown> {
  return { type: 'string', enum: Object.values(ErrorCode), description: 'The `error.code` of every error answer' };
}

/** Serves the document at `/openapi.json` and Swagger UI at `/docs`. */
export function serveOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', raw: ['json'] });
}
