import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';
import { conduitOpenApiDocument } from '../../src/http/conduit/conduit.openapi';
import { openApiDocument } from '../../src/http/openapi/document';

/*
 * Holds every response the HTTP suite receives from the app to the API
 * document its path belongs to, so that the code and the documents cannot
 * drift apart: a path under /api to the Conduit API's (GET /api/openapi.json),
 * whose paths are relative to its server /api; any other to the native one
 * (GET /openapi.json). The same checks for both. For the request's method and
 * path, matched against the document's path templates (a literal segment
 * before a `{parameter}`):
 * - a documented operation: the status is one of its responses; each header
 *   that response requires is present, and each documented header that is
 *   present fits its schema; the Content-Type is a documented media type and
 *   the body is valid against its schema (JSON Schema 2020-12, as OpenAPI 3.1
 *   has it, with formats); a response without content has an empty body;
 * - a documented path without this method: 405, the document's
 *   MethodNotAllowed response, with `Allow` naming exactly the documented methods;
 * - no documented path: 404, the document's NotFound response.
 * Not seen here, so not checked: what Node's HTTP parser answers itself before
 * the app runs (test/http/parser-errors.http.test.ts writes raw bytes to a
 * socket: malformed request lines, oversized headers, timeouts), and the
 * pages of /docs (HTML for a browser, not API answers: test/browser checks them).
 */

interface Reference {
  $ref: string;
}
interface Header {
  required?: boolean;
  schema: object;
}
interface DocumentedResponse {
  headers?: Record<string, Header | Reference>;
  content?: Record<string, { schema: object }>;
}
interface Operation {
  responses: Record<string, DocumentedResponse | Reference>;
}
type PathItem = Record<string, unknown>;
interface Document {
  servers?: { url: string }[];
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, object>; responses: Record<string, DocumentedResponse> };
}

const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Each API document with the path its server is at: a request under `/api` is held to the Conduit API's
 * document, whose paths are relative to its server, any other to the native one. The longest base first.
 */
const checks = [documentCheck(conduitOpenApiDocument() as Document, 'the Conduit API document'), documentCheck(openApiDocument() as Document, 'the API document')].sort(
  (a, b) => b.base.length - a.base.length,
);

const seen = new WeakSet<object>();

/** Throws, naming each way the response departs from the API document its path belongs to. */
export function expectDocumented(response: Response): void {
  if (seen.has(response)) return;
  seen.add(response);
  const method = response.request.method.toUpperCase();
  const path = new URL(response.request.url).pathname;
  const check = checks.find(({ base }) => base === '' || path === base || path.startsWith(`${base}/`))!;
  const problems = check.problems(method, path.slice(check.base.length) || '/', response);
  if (problems.length > 0) {
    throw new Error(`${method} ${path} answered ${response.status}, against ${check.name}:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The checks of one document, with its own validator: each document's `#/components/...` references are its own. */
function documentCheck(document: Document, name: string) {
  const base = document.servers?.[0]?.url ?? '';
  /** Where the document's schemas live for ajv, so that their `#/components/schemas/...` references resolve. */
  const documentId = `https://dualstore.test${base}/openapi.json`;

  /** Strict: a misspelt keyword in a schema fails here, rather than quietly allowing anything. */
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addKeyword('components');
  ajv.addSchema({ $id: documentId, components: { schemas: document.components.schemas } });

  const validators = new WeakMap<object, ValidateFunction>();

  function validatorOf(schema: object): ValidateFunction {
    let validate = validators.get(schema);
    if (validate === undefined) {
      validate = ajv.compile(anchored(schema) as object);
      validators.set(schema, validate);
    }
    return validate;
  }

  /** The schema with its document-relative references made absolute. */
  function anchored(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(anchored);
    if (typeof schema !== 'object' || schema === null) return schema;
    return Object.fromEntries(
      Object.entries(schema).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#') ? documentId + value : anchored(value)]),
    );
  }

  /** An object of the document, following a `$ref` to where it points. */
  function resolved<T>(item: T | Reference): T {
    if (typeof item !== 'object' || item === null || !('$ref' in item)) return item as T;
    const target = item.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')], document);
    if (target === undefined) throw new Error(`${name}'s reference ${item.$ref} points nowhere`);
    return resolved(target as T | Reference);
  }

  /** The document's paths as patterns, literal ones first: `/users/me` before `/users/{id}`. */
  const routes = Object.entries(document.paths)
    .map(([template, item]) => ({
      template,
      item,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      parameters: (template.match(/\{/g) ?? []).length,
    }))
    .sort((a, b) => a.parameters - b.parameters);

  function routeOf(path: string) {
    // Express matches a path with or without one trailing slash.
    const trimmed = path.length > 1 ? path.replace(/\/$/, '') : path;
    return routes.find((route) => route.pattern.test(trimmed));
  }

  /** `path` is relative to the document's server. */
  function problems(method: string, path: string, response: Response): string[] {
    const route = routeOf(path);
    if (route === undefined) {
      const problems = responseProblems(document.components.responses.NotFound, response);
      return response.status === 404 ? problems : [`no path of the document matches ${path}, so only a 404 may answer it`, ...problems];
    }
    const operation = route.item[method.toLowerCase()] as Operation | undefined;
    if (operation === undefined) {
      const documented = Object.keys(route.item).filter((key) => httpMethods.includes(key)).map((name) => name.toUpperCase());
      const allowed = (response.headers.allow ?? '').split(/\s*,\s*/).filter(Boolean);
      const problems = responseProblems(document.components.responses.MethodNotAllowed, response);
      if (response.status !== 405) problems.unshift(`${method} is not documented for ${route.template}, so only a 405 may answer it`);
      if ([...allowed].sort().join() !== [...documented].sort().join()) {
        problems.push(`Allow is '${allowed.join(', ')}', but the document has ${documented.join(', ')} for ${route.template}`);
      }
      return problems;
    }
    const documented = operation.responses[String(response.status)];
    if (documented === undefined) {
      return [`status ${response.status} is not documented for ${method} ${route.template} (documented: ${Object.keys(operation.responses).join(', ')})`];
    }
    return responseProblems(resolved(documented), response);
  }

  function responseProblems(documented: DocumentedResponse, response: Response): string[] {
    const problems: string[] = [];
    for (const [name, header] of Object.entries(documented.headers ?? {}).map(([n, h]) => [n, resolved(h)] as const)) {
      const value = response.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) problems.push(`header ${name} is required but missing`);
      } else if (!validatorOf(header.schema)(value)) {
        problems.push(`header ${name} is '${value}': ${ajv.errorsText(validatorOf(header.schema).errors, { dataVar: 'value' })}`);
      }
    }
    const text = response.text ?? '';
    if (documented.content === undefined) {
      if (text !== '') problems.push(`no content is documented, but the body is ${JSON.stringify(text.slice(0, 200))}`);
      return problems;
    }
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0].trim();
    const content = documented.content[mediaType];
    if (content === undefined) {
      problems.push(`Content-Type '${mediaType}' is not one of the documented ${Object.keys(documented.content).join(', ')}`);
      return problems;
    }
    const body: unknown = /[/+]json$/.test(mediaType) ? response.body : text;
    const validate = validatorOf(content.schema);
    if (!validate(body)) problems.push(`body ${ajv.errorsText(validate.errors, { dataVar: 'body' })}: ${JSON.stringify(body).slice(0, 300)}`);
    return problems;
  }

  return { name, base, problems };
}
