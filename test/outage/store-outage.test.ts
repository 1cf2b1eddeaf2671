import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app';
import { databaseConfig, sqlitePath } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';
import { testAppOptions } from '../support/api';
import { aSignUp } from '../support/factories';
import { type StoreName, type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';
import { startTcpProxy } from '../support/tcp-proxy';
import { loggerInto } from '../support/log-lines';

/** DATABASE_CONNECT_TIMEOUT_MS for the app under test: every wait of every store is bounded by it. */
const connectTimeoutMs = 1_000;
/** A request that takes longer has hung: it fails the test rather than stall it. */
const clientTimeoutMs = 20_000;
/** How many answers of each kind each phase waits for before moving on. */
const answersPerPhase = 3;
/** More requests than this and the outage never showed (or never ended): the test fails. */
const maxRequests = 600;
/** Only the PostgreSQL URL can carry a password here (trust auth ignores it); the log must never show it. */
const urlPassword = 'outage-s3cret';

/** better-sqlite3 ships no types; this is the part used here. */
const Database = require('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void };

/** A way to take the store away from the running app and give it back. */
interface Outage {
  /** The URL the app opens its store with. */
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function outageOf(name: StoreName, database: TestDatabase): Promise<Outage> {
  if (name === 'sqlite') {
    // Another connection's exclusive transaction, as another process (a backup, a migration) would hold:
    // reads go on (WAL), every write waits out the busy timeout and fails.
    let locker: InstanceType<typeof Database> | undefined;
    const release = () => {
      locker?.exec('ROLLBACK');
      locker?.close();
      locker = undefined;
    };
    return {
      url: database.url,
      cut: () => {
        locker = new Database(sqlitePath(database.url));
        locker.exec('BEGIN EXCLUSIVE');
      },
      restore: release,
      close: async () => release(),
    };
  }
  const server = new URL(database.url);
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  const url = new URL(database.url);
  url.port = String(proxy.port);
  if (name === 'postgres') url.password = urlPassword;
  return { url: url.toString(), cut: proxy.cut, restore: proxy.restore, close: proxy.close };
}

type Phase = 'before' | 'cut' | 'restored';

interface Answer {
  sentIn: Phase;
  answeredIn: Phase;
  sentAt: number;
  answeredAt: number;
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  title: string;
}

describe.each(enabledStores())('%s: store outage', (name) => {
  let database: TestDatabase;
  let outage: Outage;
  let store: Store;
  let server: Server;
  const logLines: string[] = [];
  const answers: Answer[] = [];
  const passwords: string[] = [];
  const timeline = { cut: 0, first503: 0, restore: 0, first2xxAfter: 0 };

  beforeAll(async () => {
    database = await createTestDatabase(name);
    outage = await outageOf(name, database);
    store = await openStore(databaseConfig(outage.url, connectTimeoutMs));
    const logger = loggerInto(logLines);
    const app = createApp(store, { ...testAppOptions, logger });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const send = (path: string, body: unknown, token?: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(clientTimeoutMs),
      });
    const signUp = aSignUp();
    passwords.push(signUp.password);
    expect((await send('/users', signUp)).status).toBe(201);
    const login = await send('/auth/login', { email: signUp.email, password: signUp.password });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };

    // Writers post one after another, two at a time, until told to stop; the outage comes and goes under them.
    const started = performance.now();
    const now = () => Math.round(performance.now() - started);
    let phase: Phase = 'before';
    let stopped = false;
    let sequence = 0;
    const writer = async () => {
      while (!stopped && answers.length < maxRequests) {
        const sentIn = phase;
        const sentAt = now();
        sequence += 1;
        const title = `${name} outage post ${sequence}`;
        const response = await send('/posts', { title, content: 'written while the store came and went' }, accessToken);
        const text = await response.text();
        answers.push({
          sentIn,
          answeredIn: phase,
          sentAt,
          answeredAt: now(),
          status: response.status,
          headers: response.headers,
          body: JSON.parse(text) as Record<string, unknown>,
          title,
        });
      }
    };
    const until = async (condition: () => boolean, what: string) => {
      while (!condition()) {
        if (answers.length >= maxRequests) throw new Error(`no ${what} within ${maxRequests} requests`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const count = (status: number, sentIn: Phase) => answers.filter((a) => a.status === status && a.sentIn === sentIn).length;

    const writers = [writer(), writer()];
    try {
      await until(() => count(201, 'before') >= answersPerPhase, 'write before the cut');
      outage.cut();
      phase = 'cut';
      timeline.cut = now();
      await until(() => count(503, 'cut') >= answersPerPhase, '503 during the cut');
      outage.restore();
      phase = 'restored';
      timeline.restore = now();
      await until(() => count(201, 'restored') >= answersPerPhase, 'write after the restore');
    } finally {
      stopped = true;
      outage.restore();
      await Promise.all(writers);
    }
    timeline.first503 = Math.min(...answers.filter((a) => a.status === 503).map((a) => a.answeredAt));
    timeline.first2xxAfter = Math.min(...answers.filter((a) => a.status === 201 && a.sentIn === 'restored').map((a) => a.answeredAt));
    const tally = (phase: Phase) => answers.filter((a) => a.sentIn === phase).map((a) => a.status).join(' ');
    console.log(
      `${name} outage, ms from the first write: cut ${timeline.cut}, first 503 ${timeline.first503}, ` +
        `restore ${timeline.restore}, first 2xx after ${timeline.first2xxAfter}\n` +
        `  answers sent before: ${tally('before')}\n  during the cut: ${tally('cut')}\n  after: ${tally('restored')}`,
    );
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await store?.close();
    await outage?.close();
    await database?.drop();
  });

  it('when the store is cut away under running writes, then every answer is a 201 or a 503, never another 5xx', () => {
    expect([...new Set(answers.map((a) => a.status))].sort()).toEqual([201, 503]);
  });

  it('when a write is sent and answered while the store is cut away, then it is a 503 problem with Retry-After and no driver text', () => {
    const duringCut = answers.filter((a) => a.sentIn === 'cut' && a.answeredIn === 'cut');
    expect(duringCut.length).toBeGreaterThanOrEqual(answersPerPhase);
    for (const answer of duringCut) {
      expect(answer.status).toBe(503);
    }
    for (const answer of answers.filter((a) => a.status === 503)) {
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(answer.body).toEqual({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the store is unavailable; try again later' });
    }
  });

  it('when the store is back, then the same process answers writes with 201 again', () => {
    const after = answers.filter((a) => a.sentIn === 'restored');
    expect(after.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(answersPerPhase);
  });

  it('when a write was answered 201, then it is in the store afterwards, as a new connection reads it', async () => {
    const acknowledged = answers.filter((a) => a.status === 201);
    expect(acknowledged.length).toBeGreaterThanOrEqual(2 * answersPerPhase);
    const reader = await openStore(databaseConfig(database.url, connectTimeoutMs));
    try {
      for (const answer of acknowledged) {
        const post = await reader.posts.findById(answer.body.id as string);
        expect(post?.title).toBe(answer.title);
      }
    } finally {
      await reader.close();
    }
  });

  it('when requests fail with 503, then the log has exactly one line for each, with its request id and the driver error it came from', () => {
    const entries = logLines.map((line) => JSON.parse(line) as LogEntry);
    const failed = entries.filter((entry) => (entry.res?.statusCode ?? 0) >= 500);
    const unavailable = answers.filter((a) => a.status === 503);
    expect(failed.map((entry) => entry.req?.id).sort()).toEqual(unavailable.map((a) => a.headers.get('x-request-id')).sort());
    for (const entry of failed) {
      expect(entry.level).toBe(50);
      expect(entry.err).toMatchObject({ type: 'StoreUnavailableError', message: 'the store is unavailable' });
      expect(entry.err?.cause).toEqual(expect.objectContaining({ type: expect.stringMatching(/Error$/), message: expect.any(String) }));
      expect(entry.err?.cause?.message).not.toMatch(/\[object Object\]|^$/);
      if (name === 'sqlite') expect(entry.err?.cause?.code).toBe('SQLITE_BUSY');
    }
  });

  it('when the log tells of an outage, then it holds no SQL, password, password hash or connection URL', () => {
    const log = logLines.join('\n');
    expect(log).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b/);
    expect(log).not.toMatch(/\$scrypt\$/);
    expect(log).not.toContain(urlPassword);
    expect(log).not.toContain(outage.url);
    for (const password of passwords) expect(log).not.toContain(password);
  });
});

interface LogEntry {
  level: number;
  req?: { id?: string };
  res?: { statusCode?: number };
  err?: { type?: string; code?: unknown; message?: string; cause?: { type?: string; code?: unknown; message?: string } };
}
