import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';
import { testAppOptions } from '../support/api';
import { aSignUp } from '../support/factories';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';
import { type TcpProxy, startTcpProxy } from '../support/tcp-proxy';

/** DATABASE_CONNECT_TIMEOUT_MS and STATEMENT_TIMEOUT_MS of the app under test. */
const connectTimeoutMs = 1_000;
const statementTimeoutMs = 1_000;
/** A request that takes longer has hung: it fails the test rather than stall it. */
const clientTimeoutMs = 20_000;
/** Writes sent after the network is back, at most, before one must be answered 201. */
const triesAfterRestore = 50;

/**
 * A network that stops carrying packets, or a server that stops answering, resets nothing: a driver that waits
 * for an answer without a bound would hold the request, and every write queued behind it, for ever.
 * SQLite has no network; its lock waits are bounded apart (sqlite-lock.test.ts).
 */
describe.each(enabledStores().filter((name) => name !== 'sqlite'))('%s: a store that stops answering', (name) => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let store: Store;
  let server: Server;
  let send: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

  beforeAll(async () => {
    database = await createTestDatabase(name);
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    store = await openStore(databaseConfig(url.toString(), connectTimeoutMs, statementTimeoutMs));
    server = await new Promise<Server>((resolve) => {
      const listening = createApp(store, testAppOptions).listen(0, '127.0.0.1', () => resolve(listening));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let token: string | undefined;
    send = async (method, path, body) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(clientTimeoutMs),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const signUp = aSignUp();
    expect((await send('POST', '/users', signUp)).status).toBe(201);
    const login = await send('POST', '/auth/login', { email: signUp.email, password: signUp.password });
    token = login.body.accessToken as string;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    proxy?.restore();
    await store?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('when the store stops answering, then a write and a read are each answered 503, and writes succeed again once it answers', async () => {
    const before = await send('POST', '/posts', { title: 'before the stall', content: 'kept' });
    expect(before.status).toBe(201);

    proxy.stall();
    const [write, read] = await Promise.all([
      send('POST', '/posts', { title: 'during the stall', content: 'may land late' }),
      send('GET', `/posts/${before.body.id as string}`),
    ]);
    expect([write.status, read.status]).toEqual([503, 503]);
    expect(write.body).toEqual({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the store is unavailable; try again later' });

    proxy.restore();
    const statuses: number[] = [];
    while (statuses.at(-1) !== 201 && statuses.length < triesAfterRestore) {
      statuses.push((await send('POST', '/posts', { title: `after the stall ${statuses.length}`, content: 'written' })).status);
    }
    expect(statuses.at(-1)).toBe(201);
    expect(new Set(statuses)).toEqual(new Set(statuses.length === 1 ? [201] : [503, 201]));
    expect((await send('GET', `/posts/${before.body.id as string}`)).body.title).toBe('before the stall');
  }, 60_000);
});
