import { Writable } from 'node:stream';
import type { Express } from 'express';
import { pino } from 'pino';
import request, { type Response, type Test } from 'supertest';
import { type AppOptions, createApp } from '../../src/app';
import type { StoreContext } from './each-store';
import { aSignUp } from './factories';
import { expectDocumented } from './openapi-check';

/** What no error response may carry: stack frames, SQL, driver names or codes. */
const leaks = /\n\s+at |QueryFailedError|MongoServerError|MongoError|SQLITE_|ER_[A-Z_]{3,}|\b(SELECT|INSERT|UPDATE|DELETE) .*\b(FROM|INTO|SET)\b|E11000|duplicate key|violates|typeorm|node_modules/i;

/** Every password any test has sent; no response may ever contain one. */
const passwordsSent = new Set<string>();

/** The service's error lines of the latest 5xx answers, so that a test failing on one shows its cause. */
const errorLines: string[] = [];
const errorLogger = pino(
  { level: 'error' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      errorLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      errorLines.splice(0, Math.max(0, errorLines.length - 100));
      done();
    },
  }),
);

/** Cheap hashing and no rate limits to speak of: the suites that test those set their own. */
export const testAppOptions: AppOptions = {
  logger: errorLogger,
  accounts: { tokenTtlMs: 3_600_000, passwordHashCost: 10 },
  loginLimit: { limit: 1_000_000, emailLimit: 1_000_000, windowMs: 60_000 },
  signUpLimit: { limit: 1_000_000, windowMs: 60_000 },
  expensiveReadLimit: { limit: 1_000_000, windowMs: 60_000 },
  writeLimit: { limit: 1_000_000, windowMs: 60_000 },
};

export interface SignedUp {
  user: { id: string; email: string; username: string; displayName: string; bio: string; image: string | null; createdAt: string; updatedAt: string };
  token: string;
  password: string;
}

/**
 * Requests against the real app over the context's store, optionally with a
 * bearer token. Every response is checked: as the API document has it, never
 * a 5xx, never a password or a password hash, and every error is a problem
 * document with no leak.
 */
export function api(context: StoreContext, options: Partial<AppOptions> = {}) {
  let app: Express | undefined;
  let appStore: unknown;
  const target = () => {
    if (appStore !== context.store) {
      app = createApp(context.store, { ...testAppOptions, ...options });
      appStore = context.store;
    }
    return documented(request(app!));
  };
  const send = (test: Test, token?: string, body?: unknown) => {
    if (token !== undefined) test.set('Authorization', `Bearer ${token}`);
    if (body === undefined) return checked(test);
    remember(body);
    return checked(test.set('Content-Type', 'application/json').send(JSON.stringify(body)));
  };
  const http = {
    get: (path: string, token?: string) => send(target().get(path), token),
    delete: (path: string, token?: string, body?: unknown) => send(target().delete(path), token, body),
    post: (path: string, body?: unknown, token?: string) => send(target().post(path), token, body),
    patch: (path: string, body?: unknown, token?: string) => send(target().patch(path), token, body),
    put: (path: string, token?: string) => send(target().put(path), token),
    /** For requests the helpers above cannot make (raw bodies, odd headers); check them with `checked`. */
    raw: target,
    /** Signs a new user up and logs them in. */
    signUp: async (overrides: Parameters<typeof aSignUp>[0] = {}): Promise<SignedUp> => {
      const body = aSignUp(overrides);
      const created = await http.post('/users', body);
      expect(created.status).toBe(201);
      const login = await http.post('/auth/login', { email: body.email, password: body.password });
      expect(login.status).toBe(200);
      return { user: created.body, token: login.body.accessToken, password: body.password };
    },
  };
  return http;
}

/**
 * Every request made through `api` has its response held to the API document
 * when it arrives (openapi-check.ts), the raw ones a test does not pass to
 * `checked` too.
 */
function documented(agent: ReturnType<typeof request>): ReturnType<typeof request> {
  const methods = agent as unknown as Record<string, (url: string) => Test>;
  for (const [method, make] of Object.entries(methods)) methods[method] = (url) => make(url).expect(expectDocumented);
  return agent;
}

/** Remembers the passwords of a body, native (`password`) or Conduit (`{"user": {"password": …}}`). */
export function remember(body: unknown): void {
  const fields = body as { password?: unknown; user?: { password?: unknown; currentPassword?: unknown } } | null;
  for (const password of [fields?.password, fields?.user?.password, fields?.user?.currentPassword]) {
    if (typeof password === 'string' && password.length >= 8) passwordsSent.add(password);
  }
}

export async function checked(test: Test): Promise<Response> {
  const response = await test;
  expectDocumented(response);
  if (response.status >= 500) {
    const id = response.headers['x-request-id'];
    const logged = errorLines.filter((line) => id !== undefined && line.includes(`"${id}"`));
    throw new Error(`${response.status} ${response.text}\nthe service logged: ${logged.join('\n') || 'nothing'}`);
  }
  // The API document is text of our own, whose schemas and examples show password fields on purpose.
  const text = ['/openapi.json', '/api/openapi.json'].includes(new URL(response.request.url).pathname) ? '' : (response.text ?? '');
  for (const password of passwordsSent) expect(text).not.toContain(password);
  // A hash, or a password field as a JSON key with a value; error messages may name the field, and a Conduit
  // error lists its messages under it (`"password": ["must be …"]`).
  expect(text).not.toMatch(/\$scrypt\$|"(password|passwordHash|password_hash)"\s*:(?!\s*\["must )/);
  if (response.status >= 400) {
    expect(text).not.toMatch(leaks);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual(
      expect.objectContaining({ type: 'about:blank', title: expect.any(String), status: response.status, detail: expect.any(String) }),
    );
  }
  return response;
}

/** A user as anyone but themselves sees them: without the email. */
export function publicView<T extends { email?: string }>({ email: _email, ...rest }: T): Omit<T, 'email'> {
  return rest;
}

export const isoMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
