import { Agent, type Server, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app';
import { databaseConfig, sqlitePath } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';
import { testAppOptions } from '../support/api';
import { aSignUp } from '../support/factories';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';
import { loggerInto } from '../support/log-lines';

/** better-sqlite3 ships no types; this is the part used here. */
const Database = require('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

interface Service {
  server: Server;
  store: Store;
  port: number;
  logLines: string[];
}

async function startService(url: string, connectTimeoutMs: number): Promise<Service> {
  const store = await openStore(databaseConfig(url, connectTimeoutMs));
  const logLines: string[] = [];
  const logger = loggerInto(logLines);
  const app = createApp(store, { ...testAppOptions, logger });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { server, store, port: (server.address() as AddressInfo).port, logLines };
}

/** One request over node:http, on `agent`'s connections when given; a reset connection rejects. */
function send(port: number, method: string, path: string, options: { token?: string; body?: unknown; agent?: Agent } = {}): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: options.agent ?? false,
        timeout: 60_000,
        headers: {
          ...(payload !== undefined && { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          ...(options.token !== undefined && { Authorization: `Bearer ${options.token}` }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} was not answered`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Another connection to the same file holding the write lock, as a backup, a migration or a second instance would. */
function holdWriteLock(url: string): { release(): void } {
  const locker = new Database(sqlitePath(url));
  locker.exec('BEGIN IMMEDIATE');
  return {
    release: () => {
      locker.exec('ROLLBACK');
      locker.close();
    },
  };
}

describe.each(enabledStores().filter((name) => name === 'sqlite'))('%s: write lock held by another connection', (name) => {
  let database: TestDatabase;
  const services: Service[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(name);
  });

  afterAll(async () => {
    for (const { server, store } of services) {
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    }
    await database?.drop();
  });

  /** A service on the test database, a signed-in author, one post of theirs, and an agent whose one connection has gone idle. */
  async function prepare(connectTimeoutMs: number) {
    const service = await startService(database.url, connectTimeoutMs);
    services.push(service);
    const { port } = service;
    const signUp = aSignUp();
    expect((await send(port, 'POST', '/users', { body: signUp })).status).toBe(201);
    const login = await send(port, 'POST', '/auth/login', { body: { email: signUp.email, password: signUp.password } });
    const token = login.body.accessToken as string;
    const post = await send(port, 'POST', '/posts', { token, body: { title: 'before the lock', content: 'written while the file was free' } });
    expect(post.status).toBe(201);
    const idle = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(port, 'GET', '/healthz', { agent: idle })).status).toBe(200);
    return { service, port, token, postId: post.body.id as string, idle, signUp };
  }

  it('when writes wait for the lock and it is released before DATABASE_CONNECT_TIMEOUT_MS, then /healthz, reads and an idle keep-alive connection are answered meanwhile, and every waiting write (posts, a change on the idle connection, the session of a login) succeeds', async () => {
    // Far longer than the test: the writes can only succeed because the lock is released.
    const { port, token, postId, idle, signUp } = await prepare(120_000);
    const lock = holdWriteLock(database.url);
    const events: string[] = [];
    let released = false;
    try {
      const writes = [1, 2, 3, 4].map((n) =>
        send(port, 'POST', '/posts', { token, body: { title: `waiting ${n}`, content: 'sent while the lock was held' } }).then((answer) => {
          events.push(`write ${n} ${answer.status}`);
          return answer;
        }),
      );
      const patch = send(port, 'PATCH', `/posts/${postId}`, { token, body: { title: 'changed on an idle connection' }, agent: idle }).then((answer) => {
        events.push(`idle-connection patch ${answer.status}`);
        return answer;
      });
      // A login writes its session through TypeORM rather than a transaction of ours.
      const login = send(port, 'POST', '/auth/login', { body: { email: signUp.email, password: signUp.password } }).then((answer) => {
        events.push(`login ${answer.status}`);
        return answer;
      });
      const health = await send(port, 'GET', '/healthz');
      events.push(`healthz ${health.status}`);
      const read = await send(port, 'GET', `/posts/${postId}`);
      events.push(`read ${read.status}`);
      expect(events).toEqual(['healthz 200', 'read 200']);

      lock.release();
      released = true;
      const answers = await Promise.all(writes);
      expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
      expect((await patch).status).toBe(200);
      expect((await login).status).toBe(200);
      const titles = await Promise.all(answers.map((answer) => send(port, 'GET', `/posts/${answer.body.id as string}`).then((got) => got.body.title)));
      expect(titles).toEqual(['waiting 1', 'waiting 2', 'waiting 3', 'waiting 4']);
    } finally {
      if (!released) lock.release();
      idle.destroy();
    }
  }, 60_000);

  it('when writes wait for the lock past DATABASE_CONNECT_TIMEOUT_MS, then /healthz is answered before any of them, each gets a 503 with Retry-After, logged with SQLITE_BUSY, and the same write succeeds once the lock is gone', async () => {
    const { service, port, token } = await prepare(1_000);
    const lock = holdWriteLock(database.url);
    const events: string[] = [];
    const started = performance.now();
    let healthMs = 0;
    let released = false;
    try {
      const writes = [1, 2, 3, 4].map((n) =>
        send(port, 'POST', '/posts', { token, body: { title: `refused ${n}`, content: 'sent while the lock was held' } }).then((answer) => {
          events.push(`write ${answer.status}`);
          return answer;
        }),
      );
      const health = await send(port, 'GET', '/healthz');
      healthMs = performance.now() - started;
      events.push(`healthz ${health.status}`);
      const answers = await Promise.all(writes);
      expect(events).toEqual(['healthz 200', 'write 503', 'write 503', 'write 503', 'write 503']);
      for (const answer of answers) {
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.headers['retry-after']).toBe('5');
        expect(answer.body).toEqual({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the store is unavailable; try again later' });
        const entries = service.logLines
          .map((line) => JSON.parse(line) as { level: number; req?: { id?: string }; err?: { cause?: { code?: string } } })
          .filter((entry) => entry.req?.id === answer.headers['x-request-id']);
        expect(entries).toEqual([expect.objectContaining({ level: 50, err: expect.objectContaining({ cause: expect.objectContaining({ code: 'SQLITE_BUSY' }) }) })]);
      }
      lock.release();
      released = true;
      const again = await send(port, 'POST', '/posts', { token, body: { title: 'refused 1', content: 'sent while the lock was held' } });
      expect(again.status).toBe(201);
    } finally {
      if (!released) lock.release();
    }
    console.log(`${name}: /healthz answered ${Math.round(healthMs)} ms after 4 writes began waiting for a held lock (DATABASE_CONNECT_TIMEOUT_MS 1000)`);
  }, 60_000);
});
