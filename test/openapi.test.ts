import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ValidateBy } from 'class-validator';
import request from 'supertest';
import { createApp } from '../src/app';
import { databaseConfig } from '../src/config';
import type { Store } from '../src/domain/repositories';
import { openApiDocument } from '../src/http/openapi/document';
import { requestSchema } from '../src/http/openapi/request-schemas';
import { openStore } from '../src/stores/open-store';
import { api, testAppOptions } from './support/api';
import { expectDocumented } from './support/openapi-check';
import { type TestDatabase, createTestDatabase } from './support/stores';

const validatorCli = resolve(__dirname, '../node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js');

/** The verdict of @seriousme/openapi-schema-validator, an ES module run as its own command. */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown } {
  const folder = mkdtempSync(join(tmpdir(), 'dualstore-openapi-'));
  try {
    const file = join(folder, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    try {
      return JSON.parse(execFileSync(process.execPath, [validatorCli, file], { encoding: 'utf8' })) as { valid: boolean };
    } catch (error) {
      return JSON.parse((error as { stdout: string }).stdout) as { valid: boolean; errors: unknown };
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The document as parsed JSON, read by path. */
type Json = Record<string, any>;
const document = openApiDocument() as Json;

describe('the OpenAPI document', () => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    store = await openStore(databaseConfig(database.url));
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('when GET /openapi.json is asked for, then it serves a valid OpenAPI 3.1 document', async () => {
    const response = await api({ name: 'sqlite', store, database }).get('/openapi.json');

    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(response.body).toEqual(document);
    expect(validateOpenApi(response.body)).toEqual({ valid: true });
  });

  it('when a document breaks the OpenAPI schema, then the validator says so', () => {
    const broken = { ...document, paths: { '/posts': { get: { responses: { 200: { content: 'none' } } } } } };

    expect(validateOpenApi(broken).valid).toBe(false);
  });

  it('when its schemas are compiled by a strict JSON Schema 2020-12 validator, then every one compiles', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addKeyword('components');
    ajv.addSchema({ $id: 'https://dualstore.test/openapi.json', components: { schemas: document.components.schemas } });

    for (const name of Object.keys(document.components.schemas)) {
      expect(() => ajv.getSchema(`https://dualstore.test/openapi.json#/components/schemas/${name}`)).not.toThrow();
    }
  });

  it("when the DTO classes carry the project's own rules, then their limits, patterns and enums are in the document", () => {
    const { schemas } = document.components;
    expect(schemas.CreateUserBody).toMatchObject({
      required: ['email', 'username', 'displayName', 'password'],
      additionalProperties: false,
      properties: {
        email: { type: 'string', minLength: 3, maxLength: 254, not: { pattern: '^\\s|\\s$' } },
        username: { type: 'string', pattern: '^[A-Za-z0-9_-]{3,32}$' },
        displayName: { type: 'string', minLength: 1, maxLength: 100 },
        password: { type: 'string', format: 'password', minLength: 12, maxLength: 256 },
      },
    });
    expect(schemas.UpdatePostBody.required).toBeUndefined();
    expect(schemas.CreatePostBody.properties.tags).toMatchObject({ type: 'array', items: { type: 'string' } });
    expect(schemas.CreatePostBody.properties.publicationDate).toMatchObject({ type: 'string', format: 'date-time' });

    const parameters = Object.fromEntries(document.paths['/posts'].get.parameters.map((p: Json) => [p.name ?? p.$ref, p]));
    expect(parameters.limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: 100 });
    expect(parameters.skip.schema).toEqual({ type: 'integer', minimum: 0, maximum: 10_000 });
    expect(parameters.sort.schema.enum).toEqual(['-publicationDate', 'publicationDate', '-createdAt', 'createdAt', 'title', '-title']);
    expect(parameters.tag).toMatchObject({ in: 'query', style: 'form', explode: true, schema: { type: 'array' } });
    expect(parameters.q.schema).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(parameters.authorId).toMatchObject({ in: 'query', required: false });
    expect(document.paths['/users/{id}/posts'].get.parameters.map((p: Json) => p.name)).not.toContain('authorId');
  });

  it('when a body class uses a rule the document has no schema for, then building its schema fails rather than leave the rule out', () => {
    class Unknown {
      @ValidateBy({ name: 'isSomethingNew', validator: { validate: () => true } })
      field!: string;
    }

    expect(() => requestSchema(Unknown)).toThrow("no JSON Schema for the validation rule 'isSomethingNew'");
  });

  it('when every documented operation is called, then the app has a route for it (no 404 "no route")', async () => {
    const app = createApp(store, testAppOptions);
    for (const [template, item] of Object.entries(document.paths as Json)) {
      const path = template.replace(/\{[^}]+\}/g, 'x');
      for (const method of Object.keys(item).filter((key) => key !== 'parameters')) {
        const response = await (request(app) as unknown as Json)[method](path);
        expect([template, method, response.body?.detail ?? '']).not.toEqual([template, method, expect.stringMatching(/^no route for/)]);
      }
    }
  });
});

describe('the check of every HTTP suite response against the document', () => {
  const post = { id: '1', authorId: '2', title: 't', description: '', content: 'c', publicationDate: '2024-01-01T00:00:00.000Z', createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', tags: [], version: 1, favoritesCount: 0 };
  const problem = (status: number) => ({ type: 'about:blank', title: 'x', status, detail: 'x' });
  /** A response as supertest gives it, for a request to `path`. */
  const answer = (method: string, path: string, status: number, headers: Record<string, string>, body?: object) =>
    ({ request: { method, url: `http://127.0.0.1${path}` }, status, headers, body: body ?? {}, text: body ? JSON.stringify(body) : '' }) as unknown as Parameters<typeof expectDocumented>[0];
  const json = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r' };
  const problemJson = { 'content-type': 'application/problem+json; charset=utf-8', 'x-request-id': 'r' };

  it('when a response is as documented, then it passes', () => {
    expect(() => expectDocumented(answer('GET', '/posts/1', 200, { ...json, etag: '"1-f0"', vary: 'Authorization' }, post))).not.toThrow();
    expect(() => expectDocumented(answer('DELETE', '/posts/1', 204, { 'x-request-id': 'r' }))).not.toThrow();
    expect(() => expectDocumented(answer('PUT', '/posts/1', 405, { ...problemJson, allow: 'GET, PATCH, DELETE' }, problem(405)))).not.toThrow();
    expect(() => expectDocumented(answer('GET', '/nowhere', 404, problemJson, problem(404)))).not.toThrow();
  });

  it.each([
    ['a status the operation does not document', answer('GET', '/posts/1', 418, problemJson, problem(418)), /status 418 is not documented for GET \/posts\/\{id\}/],
    ['a required header missing', answer('GET', '/posts/1', 200, json, post), /header ETag is required but missing/],
    ['a header that breaks its schema', answer('GET', '/posts/1', 200, { ...json, etag: 'W/"1"' }, post), /header ETag is 'W\/"1"': value must match pattern/],
    ['a field the schema does not have', answer('GET', '/posts/1', 200, { ...json, etag: '"1"' }, { ...post, secret: 1 }), /must NOT have additional properties/],
    ['a field of the wrong type', answer('GET', '/posts/1', 200, { ...json, etag: '"1"' }, { ...post, version: '1' }), /body\/version must be integer/],
    ['an undocumented media type', answer('GET', '/posts/1', 200, { ...json, 'content-type': 'text/html', etag: '"1"' }, post), /Content-Type 'text\/html' is not one of/],
    ['a body where none is documented', answer('DELETE', '/posts/1', 204, { 'x-request-id': 'r' }, { deleted: true }), /no content is documented/],
    ['a method the path does not document, answered with a wrong Allow', answer('PUT', '/posts/1', 405, { ...problemJson, allow: 'GET' }, problem(405)), /Allow is 'GET', but the document has GET, PATCH, DELETE for \/posts\/\{id\}/],
    ['a path the document does not have, answered with 200', answer('GET', '/nowhere', 200, json, {}), /no path of the document matches \/nowhere/],
  ])('when a response has %s, then the check fails and says so', (_case, response, message) => {
    expect(() => expectDocumented(response)).toThrow(message);
  });
});

describe('the API docs page', () => {
  let database: TestDatabase;
  let store: Store;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    store = await openStore(databaseConfig(database.url));
    app = createApp(store, testAppOptions);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('when /docs is asked for, then it redirects to /docs/, whose page the relative URLs are written for', async () => {
    const response = await request(app).get('/docs');

    expect(response.status).toBe(301);
    expect(response.headers.location).toBe('docs/');
  });

  it('when the page loads, then every script and style comes from this service, as files a strict Content-Security-Policy allows', async () => {
    const page = await request(app).get('/docs/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.text).not.toMatch(/https?:\/\//);
    expect(page.text).not.toMatch(/<script>/);

    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets).toEqual(expect.arrayContaining(['swagger-ui.css', 'swagger-ui-bundle.js', 'docs.js']));
    for (const asset of assets) {
      const response = await request(app).get(`/docs/${asset}`);
      expect([asset, response.status]).toEqual([asset, 200]);
    }
    const script = await request(app).get('/docs/docs.js');
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.text).toContain("url: '../openapi.json'");
  });

  it('when a file of swagger-ui-dist the page does not use is asked for, then it is not served', async () => {
    expect((await request(app).get('/docs/swagger-initializer.js')).status).toBe(404);
    expect((await request(app).get('/docs/package.json')).status).toBe(404);
  });
});
