import type { Express } from 'express';
import request, { type Response, type Test } from 'supertest';
import { createApp } from '../../src/app';
import type { StoreContext } from './each-store';

/** What no response may ever carry: stack frames, SQL, driver names or codes. */
const leaks = /\n\s+at |QueryFailedError|MongoServerError|MongoError|SQLITE_|ER_[A-Z_]{3,}|\b(SELECT|INSERT|UPDATE|DELETE) .*\b(FROM|INTO|SET)\b|E11000|duplicate key|violates|typeorm|node_modules/i;

/**
 * Requests against the real app over the context's store. Every response is
 * checked: never a 5xx, and every error is a problem document with no leak.
 */
export function api(context: StoreContext) {
  let app: Express | undefined;
  let appStore: unknown;
  const target = () => {
    if (appStore !== context.store) {
      app = createApp(context.store);
      appStore = context.store;
    }
    return request(app!);
  };
  return {
    get: (path: string) => checked(target().get(path)),
    delete: (path: string) => checked(target().delete(path)),
    post: (path: string, body?: unknown) => checked(json(target().post(path), body)),
    patch: (path: string, body?: unknown) => checked(json(target().patch(path), body)),
    /** For requests a helper above cannot make (raw bodies, odd headers); check with `checked`. */
    raw: target,
  };
}

function json(test: Test, body: unknown): Test {
  return body === undefined ? test : test.set('Content-Type', 'application/json').send(JSON.stringify(body));
}

export async function checked(test: Test): Promise<Response> {
  const response = await test;
  expect(response.status).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.text).not.toMatch(leaks);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual(
      expect.objectContaining({ type: 'about:blank', title: expect.any(String), status: response.status, detail: expect.any(String) }),
    );
  }
  return response;
}

export const isoMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
