import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { type Logger, pino } from 'pino';
import request, { type Response } from 'supertest';
import { createApp } from '../../src/app';
import { databaseConfig, sqlitePath } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';
import { testAppOptions } from '../support/api';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';
import { type TcpProxy, startTcpProxy } from '../support/tcp-proxy';

/**
 * DATABASE_CONNECT_TIMEOUT_MS for the app under test, well over the 2 s ping bound: a driver that waits for
 * a server rather than failing at once (MongoDB's server selection) is answered for by that bound.
 */
const connectTimeoutMs = 10_000;
/** Probes sent before the answer must have changed; each waits at most the 2 s ping bound. */
const maxProbes = 20;

/** better-sqlite3 ships no types; this is the part used here. */
const Database = require('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void };

/** Probes /readyz, a short pause apart, until it answers `status`; every answer on the way is kept. */
async function probeUntil(app: Express, status: number, seen: number[]): Promise<Response> {
  for (let probe = 0; probe < maxProbes; probe += 1) {
    const response = await request(app).get('/readyz');
    seen.push(response.status);
    if (response.status === status) return response;
    expect(response.status).toBe(status === 200 ? 503 : 200);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/readyz did not answer ${status} within ${maxProbes} probes: ${seen.join(' ')}`);
}

/** A logger for the app that keeps the cause of each failure it logs: what the ping met. */
function causeLog(): { logger: Logger; causes: string[] } {
  const causes: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      causes.push(...lines.map((line) => (JSON.parse(line) as { err?: { cause?: { message?: string } } }).err?.cause?.message ?? '(none)'));
      done();
    },
  });
  return { logger: pino({ level: 'error' }, destination), causes };
}

const serverStores = enabledStores().filter((name) => name !== 'sqlite');

describe.each(serverStores)('%s: readiness', (name) => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let store: Store;
  let app: Express;
  const { logger, causes } = causeLog();

  beforeAll(async () => {
    database = await createTestDatabase(name);
    const server = new URL(database.url);
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
    const url = new URL(database.url);
    url.port = String(proxy.port);
    store = await openStore(databaseConfig(url.toString(), connectTimeoutMs));
    app = createApp(store, { ...testAppOptions, logger });
  });

  afterAll(async () => {
    proxy?.restore();
    await store?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('when the store is cut away, then /readyz answers 503 problems; when it is back, then 200 again in the same process', async () => {
    const seen: number[] = [];
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', store: name });

    proxy.cut();
    const down = await probeUntil(app, 503, seen);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.body).toEqual({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the store is unavailable; try again later' });

    proxy.restore();
    const up = await probeUntil(app, 200, seen);
    expect(up.body).toEqual({ status: 'ready', store: name });
    expect(causes.length).toBe(seen.filter((status) => status === 503).length);
    console.log(`${name} readiness, /readyz answers from the cut to the restore and after: ${seen.join(' ')}; causes logged: ${causes.join('; ')}`);
  }, 120_000);

  it('when the store stalls with its connections open, then /readyz answers 503 once the ping bound has passed; when it resumes, then 200', async () => {
    const stalling = await startStallingProxy(new URL(database.url));
    const url = new URL(database.url);
    url.port = String(stalling.port);
    const stalled = await openStore(databaseConfig(url.toString(), connectTimeoutMs));
    try {
      const log = causeLog();
      const stalledApp = createApp(stalled, { ...testAppOptions, logger: log.logger });
      expect((await request(stalledApp).get('/readyz')).status).toBe(200);

      stalling.stall();
      const response = await request(stalledApp).get('/readyz');
      expect(response.status).toBe(503);
      expect(response.body.detail).toBe('the store is unavailable; try again later');
      expect(log.causes).toEqual(['the store did not answer a ping within 2000 ms']);

      stalling.resume();
      expect((await request(stalledApp).get('/readyz')).status).toBe(200);
    } finally {
      stalling.resume();
      await stalled.close();
      await stalling.close();
    }
  }, 60_000);
});

describe.each(enabledStores().filter((name) => name === 'sqlite'))('%s: readiness', (name) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await createTestDatabase(name);
    store = await openStore(databaseConfig(database.url));
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  // There is no server to cut away, and in WAL mode no other connection can lock a reader out of the file
  // (moving the file or overwriting its header does not stop a connection already open either). A
  // writer's exclusive lock stops writes only: they wait the busy timeout and answer 503, as the
  // store-outage test shows, while reads, and so readiness, go on.
  it('when another connection holds an exclusive lock on the file, then /readyz still answers 200: reads are served, only writes wait', async () => {
    const app = createApp(store, testAppOptions);
    const locker = new Database(sqlitePath(database.url));
    try {
      locker.exec('BEGIN EXCLUSIVE');
      const response = await request(app).get('/readyz');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ready', store: name });
      expect((await request(app).get('/users')).status).toBe(200);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
  });

  it('when the store is closed, then /readyz answers 503', async () => {
    const closing = await openStore(databaseConfig(database.url));
    const app = createApp(closing, testAppOptions);
    expect((await request(app).get('/readyz')).status).toBe(200);

    await closing.close();

    const response = await request(app).get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body.detail).toBe('the store is unavailable; try again later');
  });
});

/**
 * A proxy that can stop passing bytes, both ways, keeping every connection open and every byte for later:
 * a server, or the network to it, that stalls and then recovers.
 */
async function startStallingProxy(target: URL): Promise<{ port: number; stall(): void; resume(): void; close(): Promise<void> }> {
  let stalled = false;
  const live = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      live.add(from);
      // Not pipe(): it would resume a paused socket on its own once the other side drains.
      from.on('data', (chunk: Buffer) => to.write(chunk));
      if (stalled) from.pause();
      from.on('error', () => to.destroy());
      from.on('close', () => {
        live.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stall: () => {
      stalled = true;
      for (const socket of live) socket.pause();
    },
    resume: () => {
      stalled = false;
      for (const socket of live) socket.resume();
    },
    close: async () => {
      for (const socket of live) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
