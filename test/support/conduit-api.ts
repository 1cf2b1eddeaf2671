import type { Test } from 'supertest';
import type { AppOptions } from '../../src/app';
import { api, checked, remember } from './api';
import type { StoreContext } from './each-store';
import { aSignUp } from './factories';

export interface ConduitUser {
  user: { email: string; token: string; username: string; bio: string; image: string | null };
  token: string;
  password: string;
}

/** The Authorization scheme of a request: Conduit clients send `Token`, the native API's `Bearer` works too. */
export type Scheme = 'Token' | 'Bearer';

/**
 * Requests against the Conduit API at /api, checked as every response of the suites is (api.ts): held to
 * the API document, no 5xx, no password or hash, every error a problem document with no leak.
 */
export function conduit(context: StoreContext, options: Partial<AppOptions> = {}) {
  const http = api(context, options);
  const send = (test: Test, token?: string, body?: unknown, scheme: Scheme = 'Token') => {
    if (token !== undefined) test.set('Authorization', `${scheme} ${token}`);
    if (body === undefined) return checked(test);
    remember(body);
    return checked(test.set('Content-Type', 'application/json').send(JSON.stringify(body)));
  };
  const client = {
    get: (path: string, token?: string, scheme?: Scheme) => send(http.raw().get(`/api${path}`), token, undefined, scheme),
    post: (path: string, body?: unknown, token?: string, scheme?: Scheme) => send(http.raw().post(`/api${path}`), token, body, scheme),
    put: (path: string, body?: unknown, token?: string) => send(http.raw().put(`/api${path}`), token, body),
    delete: (path: string, token?: string) => send(http.raw().delete(`/api${path}`), token),
    raw: http.raw,
    /** Registers a new user; the answer's token is their session. */
    register: async (overrides: { username?: string; email?: string; password?: string } = {}): Promise<ConduitUser> => {
      const { email, username, password } = aSignUp(overrides);
      const response = await client.post('/users', { user: { email, username, password } });
      expect(response.status).toBe(201);
      return { user: response.body.user, token: response.body.user.token, password };
    },
  };
  return client;
}

/** A Conduit error: a problem document whose `errors` is `{"<field>": ["<message>", …]}`. */
export function conduitError(status: number, errors: Record<string, unknown>) {
  return expect.objectContaining({ type: 'about:blank', status, detail: expect.any(String), errors });
}
