import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mysql2 from 'mysql2/promise';
import pg from 'pg';
import { createApp } from '../../src/app';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';
import { testAppOptions } from '../support/api';
import { aPost, aSignUp } from '../support/factories';
import { type StoreName, type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';
import { loggerInto } from '../support/log-lines';

/** STATEMENT_TIMEOUT_MS for the app under test: short, so that a held lock outlasts it at once. */
const budgetMs = 300;
/** A request that takes longer has hung: it fails the test rather than stall it. */
const clientTimeoutMs = 20_000;

/** Another connection of the test, holding a lock the service's statements must wait for. */
interface Locker {
  /** Holds a lock on the posts table that keeps reads of post `id` waiting. */
  lockTable(id: string): Promise<void>;
  /** Holds post `id`'s row, so that writes of it wait. */
  lockRow(id: string): Promise<void>;
  release(): Promise<void>;
  close(): Promise<void>;
}

async function lockerOf(name: StoreName, url: string): Promise<Locker> {
  if (name === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      lockTable: async () => void (await client.query('BEGIN; LOCK TABLE posts IN ACCESS EXCLUSIVE MODE')),
      lockRow: async (id) => {
        await client.query('BEGIN');
        await client.query('SELECT id FROM posts WHERE id = $1 FOR UPDATE', [id]);
      },
      release: async () => void (await client.query('ROLLBACK')),
      close: () => client.end(),
    };
  }
  const connection = await mysql2.createConnection(url);
  return {
    lockTable: async () => void (await connection.query('LOCK TABLES posts WRITE')),
    lockRow: async (id) => {
      await connection.query('BEGIN');
      await connection.query('SELECT id FROM posts WHERE id = ? FOR UPDATE', [id]);
    },
    release: async () => {
      await connection.query('ROLLBACK');
      await connection.query('UNLOCK TABLES');
    },
    close: () => connection.end(),
  };
}

interface LogEntry {
  level: number;
  req?: { id?: string };
  res?: { statusCode?: number };
  err?: { type?: string; code?: unknown; message?: string; cause?: { type?: string; code?: unknown; message?: string } };
}

interface Service {
  base: string;
  server: Server;
  store: Store;
}

async function startService(url: string, statementTimeoutMs: number, logLines: string[]): Promise<Service> {
  const store = await openStore(databaseConfig(url, 5_000, statementTimeoutMs));
  const logger = loggerInto(logLines);
  const app = createApp(store, { ...testAppOptions, logger });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, store };
}

async function stopService(service: Service | undefined): Promise<void> {
  if (service === undefined) return;
  await new Promise((resolve) => service.server.close(resolve));
  await service.store.close();
}

describe.each(enabledStores().filter((name) => name !== 'sqlite'))('%s: statement budget', (name) => {
  let database: TestDatabase;
  let service: Service;
  const logLines: string[] = [];
  let token: string;
  let authorId: string;

  const call = (method: string, path: string, body?: unknown, base = service.base) =>
    fetch(`${base}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(clientTimeoutMs),
    });

  beforeAll(async () => {
    database = await createTestDatabase(name);
    service = await startService(database.url, budgetMs, logLines);
    const signUp = aSignUp();
    const created = await call('POST', '/users', signUp);
    expect(created.status).toBe(201);
    authorId = ((await created.json()) as { id: string }).id;
    const login = await call('POST', '/auth/login', { email: signUp.email, password: signUp.password });
    token = ((await login.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    await stopService(service);
    await database?.drop();
  });

  /** The answer is the documented 503, and its one log line, at error level, names the driver's error. */
  async function expectTooLong(response: Response, cause: (err: LogEntry['err']) => void): Promise<void> {
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'the store took too long to answer; try again later',
    });
    const requestId = response.headers.get('x-request-id');
    const entries = logLines.map((line) => JSON.parse(line) as LogEntry).filter((entry) => entry.req?.id === requestId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: 50, res: { statusCode: 503 }, err: { type: 'StoreTimeoutError', message: 'the store took too long' } });
    cause(entries[0].err);
    expect(JSON.stringify(entries[0])).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b/);
  }

  if (name === 'mongodb') {
    it('when a page with its total outlasts STATEMENT_TIMEOUT_MS, then 503 with Retry-After, logged with MaxTimeMSExpired; with a budget it fits, the same request answers 200', async () => {
      // Enough long posts that sorting and counting them all takes far longer than 1 ms.
      await service.store.posts.createMany(Array.from({ length: 2_000 }, (_, i) => aPost(authorId, { content: `${'words '.repeat(300)}${i}` })));
      const slow = await startService(database.url, 1, logLines);
      const roomy = await startService(database.url, 60_000, logLines);
      try {
        const search = '/posts?count=true&limit=100';
        await expectTooLong(await call('GET', search, undefined, slow.base), (err) => expect(err?.cause).toMatchObject({ code: 50 }));
        const answer = await call('GET', search, undefined, roomy.base);
        // On a failure, what the service logged of it is in the message.
        const requestId = answer.headers.get('x-request-id');
        const failure = logLines.map((line) => JSON.parse(line) as LogEntry).find((entry) => entry.req?.id === requestId && entry.level >= 50);
        expect({ status: answer.status, failure }).toEqual({ status: 200, failure: undefined });
        expect(await answer.json()).toMatchObject({ total: 2_000 });
      } finally {
        await stopService(slow);
        await stopService(roomy);
      }
    }, 60_000);
    return;
  }

  const expectedCause = (err: LogEntry['err']) => {
    if (name === 'postgres') expect(['57014', '55P03']).toContain(err?.cause?.code);
    else expect(err?.cause?.message).toMatch(/max_statement_time exceeded|Lock wait timeout exceeded/);
  };

  it('when a write waits for a row lock longer than STATEMENT_TIMEOUT_MS, then 503 with Retry-After, logged with the cause; once the lock is gone, the same write succeeds', async () => {
    const created = await call('POST', '/posts', { title: 'held', content: 'its row is held by another connection' });
    const { id } = (await created.json()) as { id: string };
    const locker = await lockerOf(name, database.url);
    try {
      await locker.lockRow(id);
      await expectTooLong(await call('PATCH', `/posts/${id}`, { title: 'changed' }), expectedCause);
      await locker.release();
      const again = await call('PATCH', `/posts/${id}`, { title: 'changed' });
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ title: 'changed', version: 2 });
    } finally {
      await locker.close();
    }
  });

  it('when a read waits for a table lock longer than STATEMENT_TIMEOUT_MS, then 503 with Retry-After, logged with the cause; once the lock is gone, the same read succeeds', async () => {
    const created = await call('POST', '/posts', { title: 'locked away', content: 'its table is locked by another connection' });
    const { id } = (await created.json()) as { id: string };
    const locker = await lockerOf(name, database.url);
    try {
      await locker.lockTable(id);
      await expectTooLong(await call('GET', `/posts/${id}`), expectedCause);
      await locker.release();
      const again = await call('GET', `/posts/${id}`);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ id, title: 'locked away' });
    } finally {
      await locker.close();
    }
  });
});
