import request from 'supertest';
import { createApp } from '../../src/app';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { Metrics } from '../../src/http/metrics';
import { openStore } from '../../src/stores/open-store';
import { api, testAppOptions } from '../support/api';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';

/** One sample line of the exposition text: `name{a="1",b="2"} value`, labels in any order. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([key, value]) => found[key] === value)) {
      return Number(match[3]);
    }
  }
  return undefined;
}

describe.each(enabledStores())('%s: metrics', (name) => {
  let database: TestDatabase;
  let store: Store;
  let text: string;

  beforeAll(async () => {
    database = await createTestDatabase(name);
    const metrics = new Metrics();
    store = await openStore(databaseConfig(database.url), metrics.storeTimer(name));
    const http = api({ name, store, database }, { metrics });
    const { token } = await http.signUp();
    const created = await http.post('/posts', { title: 'Counted', content: 'by route' }, token);
    expect(created.status).toBe(201);
    const postId = created.body.id as string;
    expect((await http.get(`/posts/${postId}`)).status).toBe(200);
    expect((await http.get('/posts/no-such-post-4a7c')).status).toBe(404);
    expect((await http.get('/nowhere/7f3e9b')).status).toBe(404);
    expect((await http.raw().put(`/posts/${postId}`)).status).toBe(405);

    const scraped = await http.get('/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    text = scraped.text;
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('when requests were answered, then /metrics counts them by method, route template and status', () => {
    const count = (method: string, route: string, status: string) => sample(text, 'http_requests_total', { method, route, status });
    expect(count('POST', '/users', '201')).toBe(1);
    expect(count('POST', '/auth/login', '200')).toBe(1);
    expect(count('POST', '/posts', '201')).toBe(1);
    expect(count('GET', '/posts/:id', '200')).toBe(1);
    expect(count('GET', '/posts/:id', '404')).toBe(1);
    expect(count('PUT', '/posts/:id', '405')).toBe(1);
    expect(count('GET', '<unmatched>', '404')).toBe(1);
  });

  it('when requests were answered, then their latency is a histogram under the same labels', () => {
    const labels = { method: 'GET', route: '/posts/:id', status: '200' };
    expect(sample(text, 'http_request_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('when paths carried ids or were unknown, then the route labels are templates only, never a path requested', () => {
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    expect([...routes].sort()).toEqual(['/auth/login', '/posts', '/posts/:id', '/users', '<unmatched>']);
    expect(text).not.toMatch(/no-such-post|nowhere/);
  });

  it('when repositories were called, then /metrics times each call by store and operation', () => {
    const calls = (operation: string) => sample(text, 'store_operation_duration_seconds_count', { store: name, operation });
    expect(calls('users.create')).toBe(1);
    expect(calls('sessions.create')).toBe(1);
    expect(calls('posts.create')).toBe(1);
    // The read and the miss; the 405 never reached the store.
    expect(calls('posts.findById')).toBe(2);
    expect(sample(text, 'store_operation_duration_seconds_sum', { store: name, operation: 'posts.create' })).toBeGreaterThan(0);
  });

  it('when scraped, then /metrics carries the process metrics too', () => {
    for (const metric of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(text).toMatch(new RegExp(`^${metric} \\d`, 'm'));
    }
  });
});

describe('metrics token', () => {
  let store: Store;

  beforeAll(async () => {
    store = await openStore(databaseConfig('sqlite::memory:'));
  });

  afterAll(() => store?.close());

  it('when a token is set, then /metrics answers 401 problems without it or with another, and the metrics with it', async () => {
    const token = 'metrics-token-5e1d0c9a';
    const app = createApp(store, { ...testAppOptions, metricsToken: token });

    const missing = await request(app).get('/metrics');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="dualstore"');
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const wrong = await request(app).get('/metrics').set('Authorization', `Bearer ${token}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="dualstore", error="invalid_token"');
    const right = await request(app).get('/metrics').set('Authorization', `Bearer ${token}`);
    expect(right.status).toBe(200);
    expect(right.text).toMatch(/^http_requests_total\{method="GET",route="\/metrics",status="401"\} 2$/m);
  });

  it('when no token is set, then /metrics answers anyone', async () => {
    const app = createApp(store, testAppOptions);

    expect((await request(app).get('/metrics')).status).toBe(200);
  });
});
