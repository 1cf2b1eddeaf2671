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
import { conduitOpenApiDocument } from '../src/http/conduit/conduit.openapi';
import { openApiDocument } from '../src/http/openapi/document';
import { requestSchema } from '../src/http/openapi/request-schemas';
import { conduitCommentsShown, conduitTagsShown } from '../src/http/conduit/conduit.bodies';
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
const conduitDocument = conduitOpenApiDocument() as Json;

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

  it.each([
    ['the API document', document, ''],
    ['the Conduit API document', conduitDocument, '/api'],
  ])('when every operation of %s is called, then the app has a route for it (no 404 "no route")', async (_name, documented, base) => {
    const app = createApp(store, testAppOptions);
    for (const [template, item] of Object.entries(documented.paths as Json)) {
      const path = base + template.replace(/\{[^}]+\}/g, 'x');
      for (const method of Object.keys(item).filter((key) => key !== 'parameters')) {
        const response = await (request(app) as unknown as Json)[method](path);
        expect([template, method, response.body?.detail ?? '']).not.toEqual([template, method, expect.stringMatching(/^no route for/)]);
      }
    }
  });

  it('when the native document lists its paths, then none is under /api, which the Conduit document has', () => {
    expect(Object.keys(document.paths).filter((path) => path === '/api' || path.startsWith('/api/'))).toEqual([]);
  });
});

describe('the Conduit API document', () => {
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

  /** Every operation of the document, with its path template. */
  const operations = () =>
    Object.entries(conduitDocument.paths as Json).flatMap(([template, item]) =>
      Object.entries(item as Json)
        .filter(([key]) => key !== 'parameters')
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${template}`, operation: operation as Json })),
    );

  it('when GET /api/openapi.json is asked for, then it serves a valid OpenAPI 3.1 document for the server /api', async () => {
    const response = await request(createApp(store, testAppOptions)).get('/api/openapi.json');
    expectDocumented(response);

    expect(response.status).toBe(200);
    expect(response.body).toEqual(conduitDocument);
    expect(response.body.servers).toEqual([{ url: '/api' }]);
    expect(validateOpenApi(response.body)).toEqual({ valid: true });
  });

  it('when its schemas are compiled by a strict JSON Schema 2020-12 validator, then every one compiles', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addKeyword('components');
    ajv.addSchema({ $id: 'https://dualstore.test/api/openapi.json', components: { schemas: conduitDocument.components.schemas } });

    for (const name of Object.keys(conduitDocument.components.schemas)) {
      expect(() => ajv.getSchema(`https://dualstore.test/api/openapi.json#/components/schemas/${name}`)).not.toThrow();
    }
  });

  it('when it lists the paths, then it has every route of the Conduit router, with its methods', () => {
    const methods = Object.fromEntries(Object.entries(conduitDocument.paths as Json).map(([path, item]) => [path, Object.keys(item).filter((key) => key !== 'parameters')]));
    expect(methods).toEqual({
      '/users/login': ['post'],
      '/users': ['post'],
      '/user': ['get', 'put'],
      '/profiles/{username}': ['get'],
      '/profiles/{username}/follow': ['post', 'delete'],
      '/articles': ['get', 'post'],
      '/articles/feed': ['get'],
      '/articles/{slug}': ['get', 'put', 'delete'],
      '/articles/{slug}/favorite': ['post', 'delete'],
      '/articles/{slug}/comments': ['get', 'post'],
      '/articles/{slug}/comments/{id}': ['delete'],
      '/tags': ['get'],
      '/openapi.json': ['get'],
    });
  });

  it('when the body classes carry the rules, then the wrapped request schemas state them, and drop rather than refuse unknown fields', () => {
    const { schemas } = conduitDocument.components;
    expect(schemas.NewUserRequest).toEqual({ type: 'object', required: ['user'], properties: { user: { $ref: '#/components/schemas/NewUser' } } });
    expect(schemas.NewUser).toMatchObject({
      required: ['email', 'username', 'password'],
      properties: {
        email: { type: 'string', minLength: 3, maxLength: 254 },
        username: { type: 'string', pattern: '^[A-Za-z0-9_-]{3,32}$' },
        password: { type: 'string', format: 'password', minLength: 12, maxLength: 256 },
      },
    });
    expect(schemas.NewArticle).toMatchObject({ required: ['title', 'body'], properties: { tagList: { type: 'array', items: { type: 'string' } } } });
    for (const name of ['LoginUser', 'NewUser', 'UpdateUser', 'NewArticle', 'UpdateArticle', 'NewComment']) {
      expect([name, schemas[name].additionalProperties]).toEqual([name, undefined]);
      expect(schemas[name].description).toMatch(/dropped, not refused/);
    }
  });

  it('when a settings form sends every field back, then the UpdateUser schema takes its "no change" values', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    addFormats(ajv);
    const validate = ajv.compile(conduitDocument.components.schemas.UpdateUser);

    expect(validate({ email: 'ada@example.com', username: 'ada', password: '', image: '', bio: null, token: 'dropped' })).toBe(true);
    expect(validate({ password: 'short' })).toBe(false);
    expect(conduitDocument.components.schemas.UpdateUser.description).toMatch(/currentPassword/);
  });

  it('when the list parameters come from the query classes, then they are single values with their limits', () => {
    const parameters = Object.fromEntries(conduitDocument.paths['/articles'].get.parameters.map((p: Json) => [p.name, p]));
    expect(Object.keys(parameters).sort()).toEqual(['author', 'favorited', 'limit', 'offset', 'tag']);
    expect(parameters.limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: 100 });
    expect(parameters.offset.schema).toEqual({ type: 'integer', minimum: 0, maximum: 10_000 });
    expect(parameters.tag).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
    expect(conduitDocument.paths['/articles/feed'].get.parameters.map((p: Json) => p.name)).toEqual(['limit', 'offset']);
  });

  it('when answers are described, then every object of a response schema is closed, so that a field added is caught', () => {
    const open: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${where}/${i}`));
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Json;
      if (schema.type === 'object' && schema.properties !== undefined && schema.additionalProperties !== false) open.push(where);
      for (const [key, value] of Object.entries(schema)) visit(value, `${where}/${key}`);
    };
    const { schemas } = conduitDocument.components;
    for (const name of ['User', 'Profile', 'Article', 'ArticleListItem', 'Comment', 'Problem', 'UserResponse', 'ProfileResponse', 'SingleArticleResponse', 'MultipleArticlesResponse', 'SingleCommentResponse', 'MultipleCommentsResponse', 'TagsResponse']) {
      visit(schemas[name], name);
    }

    expect(open).toEqual([]);
    expect(schemas.ArticleListItem.properties.body).toBeUndefined();
    expect(schemas.Article.properties.body).toEqual({ type: 'string' });
    expect(schemas.Problem.properties.errors).toMatchObject({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } });
  });

  it('when an operation takes a token or a body, then it documents the answers those can bring', () => {
    for (const { route, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      if (operation.security?.length) expect([route, statuses]).toEqual([route, expect.arrayContaining(['401'])]);
      if (operation.requestBody) expect([route, statuses]).toEqual([route, expect.arrayContaining(['413', '415', '422'])]);
      if (route.includes('{')) expect([route, statuses]).toEqual([route, expect.arrayContaining(['404', '422'])]);
      expect([route, statuses]).toEqual([route, expect.arrayContaining(['500'])]);
    }
    expect(conduitDocument.components.responses.Unauthorized.headers['WWW-Authenticate']).toBeDefined();
    expect(conduitDocument.components.responses.MethodNotAllowed.headers.Allow).toBeDefined();
    expect(conduitDocument.components.responses.TooManyRequests.headers['Retry-After']).toBeDefined();
    expect(conduitDocument.components.responses.StoreUnavailable.headers['Retry-After']).toBeDefined();
    expect(conduitDocument.paths['/articles/{slug}'].delete.responses[200].content).toBeUndefined();
  });

  it('when a route is signed in, then both the Token and the bearer scheme are documented for it', () => {
    expect(conduitDocument.components.securitySchemes.Token).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Authorization' }));
    expect(conduitDocument.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(conduitDocument.paths['/user'].get.security).toEqual([{ Token: [] }, { bearer: [] }]);
    expect(conduitDocument.paths['/articles'].get.security).toEqual([{}, { Token: [] }, { bearer: [] }]);
  });

  it("when the router's constants bound a list, then the document states them", () => {
    expect(conduitDocument.paths['/articles/{slug}/comments'].get.description).toContain(`newest ${conduitCommentsShown}`);
    expect(conduitDocument.paths['/tags'].get.description).toContain(`${conduitTagsShown} most used`);
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

  const profile = { username: 'ada', bio: '', image: null, following: false };
  const conduitProblem = (status: number) => ({ ...problem(status), errors: { body: ['x'] } });

  it('when a response under /api is as the Conduit document has it, then it passes', () => {
    expect(() => expectDocumented(answer('GET', '/api/profiles/ada', 200, { ...json, vary: 'Authorization' }, { profile }))).not.toThrow();
    expect(() => expectDocumented(answer('GET', '/api/profiles/ada/', 200, { ...json, vary: 'Authorization' }, { profile }))).not.toThrow();
    expect(() => expectDocumented(answer('DELETE', '/api/articles/a-1', 200, { 'x-request-id': 'r' }))).not.toThrow();
    expect(() => expectDocumented(answer('PATCH', '/api/user', 405, { ...problemJson, allow: 'GET, PUT' }, conduitProblem(405)))).not.toThrow();
    expect(() => expectDocumented(answer('GET', '/api/nowhere', 404, problemJson, conduitProblem(404)))).not.toThrow();
    expect(() => expectDocumented(answer('GET', '/api', 404, problemJson, conduitProblem(404)))).not.toThrow();
  });

  it.each([
    ['a field the Conduit schema does not have', answer('GET', '/api/profiles/ada', 200, { ...json, vary: 'Authorization' }, { profile: { ...profile, id: '1' } }), /against the Conduit API document:\n.*body\/profile must NOT have additional properties/],
    ['a field missing', answer('GET', '/api/profiles/ada', 200, { ...json, vary: 'Authorization' }, { profile: { username: 'ada', bio: '', image: null } }), /must have required property 'following'/],
    ['a status the Conduit operation does not document', answer('GET', '/api/tags', 401, problemJson, conduitProblem(401)), /status 401 is not documented for GET \/tags/],
    ['the native error shape', answer('GET', '/api/articles/a-1', 404, problemJson, { ...problem(404), errors: [{ field: 'x', message: 'x' }] }), /body\/errors must be object/],
    ['a 401 without its challenge', answer('GET', '/api/user', 401, problemJson, conduitProblem(401)), /header WWW-Authenticate is required but missing/],
    ['a method answered with a wrong Allow', answer('DELETE', '/api/user', 405, { ...problemJson, allow: 'GET' }, conduitProblem(405)), /Allow is 'GET', but the document has GET, PUT for \/user/],
    ['a native path under /api', answer('GET', '/api/posts/1', 200, { ...json, etag: '"1"' }, post), /no path of the document matches \/posts\/1/],
    ['a native answer to an unknown /api path', answer('GET', '/api/nowhere', 404, problemJson, problem(404)), /must have required property 'errors'/],
  ])('when a response under /api has %s, then the check fails and says so', (_case, response, message) => {
    expect(() => expectDocumented(response)).toThrow(message);
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
