import { readFileSync } from 'node:fs';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createApp } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { buildOpenApiDocument } from '../../src/http/openapi/openapi.document.js';
import { normalise, recordRoutes, routesInReference, undocumentedRoutes } from '../support/openapi-check.js';
import { createTestStorage, testConfig, type TestStorage } from '../support/storage.js';

process.env.SHOAL_LOG ??= 'silent';

@Controller('v1/undocumented')
class UndocumentedController {
  @Get()
  list(): string[] {
    return [];
  }
}

describe(buildOpenApiDocument.name, () => {
  let storage: TestStorage;
  let app: NestFastifyApplication;
  let served: string[];
  let url: string;
  let document: OpenAPIObject;
  beforeAll(async () => {
    storage = await createTestStorage('sqlite');
    app = await createApp({ config: testConfig(storage.storage) });
    served = recordRoutes(app);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    document = (await (await fetch(`${url}/openapi.json`)).json()) as OpenAPIObject;
  });
  afterAll(async () => {
    await app.close();
    await storage.dispose();
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route the broker serves, with its answer and error codes', () => {
    expect(served.length).toBeGreaterThan(25);
    expect(undocumentedRoutes(document, served)).toEqual([]);
    const redrive = document.paths['/v1/topics/{topic}/redrive'].post!;
    expect(redrive.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/RedriveRequest' } } },
    });
    expect(Object.keys(redrive.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
    expect((redrive.responses['404'] as unknown as Record<string, unknown>)['x-error-codes']).toEqual([
      'UNKNOWN_TOPIC',
      'UNKNOWN_GROUP', // a redrive into a group that does not exist (issue 27)
    ]);
  });

  it('has every route, and every error code, that docs/http-api.md names', () => {
    const reference = readFileSync('docs/http-api.md', 'utf8');
    const inDocument = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${normalise(path)}`),
      ),
    );
    const named = routesInReference(reference);
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((route) => !inDocument.has(route))).toEqual([]);
    const codes = (document.components!.schemas!.ErrorCode as { enum: string[] }).enum;
    const errorTable = reference.slice(reference.indexOf('## Error codes'));
    const referenceCodes = [...errorTable.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(referenceCodes.length).toBeGreaterThan(10);
    expect(referenceCodes.filter((code) => !codes.includes(code))).toEqual([]);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await fetch(`${url}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Swagger UI');
  });

  it('finds a route added without documentation', async () => {
    @Module({
      imports: [AppModule.forRoot({ config: testConfig(storage.storage) })],
      controllers: [UndocumentedController],
    })
    class ExtendedModule {}
    const extended = await NestFactory.create<NestFastifyApplication>(ExtendedModule, new FastifyAdapter(), {
      logger: false,
    });
    const routes = recordRoutes(extended);
    await extended.init();
    try {
      expect(undocumentedRoutes(buildOpenApiDocument(extended), routes)).toEqual(['GET /v1/undocumented']);
    } finally {
      await extended.close();
    }
  });
});
