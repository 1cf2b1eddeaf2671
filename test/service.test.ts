import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { databaseConfig } from '../src/config';
import { openStore } from '../src/stores/open-store';
import { createTestDatabase, enabledStores } from './support/stores';

const root = resolve(__dirname, '..');
const main = join(root, 'dist/src/main.js');

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, [main], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', PORT: '0', DATABASE_CONNECT_TIMEOUT_MS: '1000', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('service start-up', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')]);
  }, 120_000);

  it.each([
    ['an unknown scheme', { DATABASE_URL: 'redis://127.0.0.1:6379' }, /DATABASE_URL scheme 'redis:' is not supported/],
    ['a URL without a scheme', { DATABASE_URL: 'localhost/blog' }, /DATABASE_URL 'localhost\/blog' has no scheme/],
    ['a URL without a host', { DATABASE_URL: 'postgres://' }, /is not a valid postgres URL/],
    ['an unreachable PostgreSQL', { DATABASE_URL: 'postgres://app:s3cret@127.0.0.1:1/blog' }, /cannot open postgres store at 127\.0\.0\.1:1\/blog: .*ECONNREFUSED/],
    ['an unreachable MariaDB', { DATABASE_URL: 'mysql://root@127.0.0.1:1/blog' }, /cannot open mysql store at 127\.0\.0\.1:1\/blog: .*ECONNREFUSED/],
    ['an unreachable MongoDB', { DATABASE_URL: 'mongodb://127.0.0.1:1/blog' }, /cannot open mongodb store at 127\.0\.0\.1:1\/blog: .*ECONNREFUSED/],
    ['an unreachable MongoDB replica set', { DATABASE_URL: 'mongodb://app:s3cret@127.0.0.1:1,127.0.0.1:2/blog?replicaSet=rs0' }, /cannot open mongodb store at 127\.0\.0\.1:1,127\.0\.0\.1:2\/blog: /],
    ['a bad port', { PORT: 'eighty' }, /PORT must be a whole number from 0 to 65535, not 'eighty'/],
    ['a bad log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    ['a password hash cost out of range', { PASSWORD_HASH_COST: '30' }, /PASSWORD_HASH_COST must be a whole number from 10 to 20, not '30'/],
    ['an unreachable Redis', { REDIS_URL: 'redis://:s3cret@127.0.0.1:1' }, /cannot reach Redis at 127\.0\.0\.1:1: connect ECONNREFUSED/],
    ['a CORS origin with a path', { CORS_ORIGINS: 'https://app.example.com/' }, /CORS_ORIGINS must be a comma-separated list of origins/],
  ])('when started with %s, then it exits 1 with one line naming the problem', (_case, env, message) => {
    const result = start(env);

    expect(result.status).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dualstore: /);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toContain('s3cret');
  });

  it.each(enabledStores())('when started on %s, the target of an unfinished copy, then it exits 1 with one line saying how to finish it', async (name) => {
    const database = await createTestDatabase(name);
    try {
      const store = await openStore(databaseConfig(database.url));
      await store.transfer.begin({ source: 'sqlite:/data/old.sqlite', sourceFamily: 'sql' });
      await store.close();

      const result = start({ DATABASE_URL: database.url });

      expect(result.status).toBe(1);
      expect(result.stderr).toBe('dualstore: the database is the target of an unfinished copy from sqlite:/data/old.sqlite: run that npm run copy again to finish it, then start\n');
    } finally {
      await database.drop();
    }
  });

  it('when started on a new SQLite path, then it creates the file, serves, and stops cleanly on SIGTERM', async () => {
    const service = await serve();
    try {
      const response = await fetch(`${service.url}/users`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ items: [], limit: 20, nextCursor: null });
      expect(existsSync(service.file)).toBe(true);
      expect(await service.stop()).toBe(0);
    } finally {
      await service.stop();
    }
  });

  it('when started with SERVER_TIMING=true and LOG_LEVEL=debug, then answers carry Server-Timing and the log line lists the operations; by default neither', async () => {
    const lineOf = (logs: string, id: string | null) => logs.split('\n').find((line) => id !== null && line.includes(`"id":"${id}"`));
    const timed = await serve({ SERVER_TIMING: 'true', LOG_LEVEL: 'debug' });
    try {
      const response = await fetch(`${timed.url}/users?limit=5`);
      expect(response.headers.get('server-timing')).toMatch(/^store;dur=[\d.]+;desc="1 operations", app;dur=[\d.]+$/);
      const missing = await fetch(`${timed.url}/no-such-route`);
      expect([missing.status, missing.headers.get('server-timing')]).toEqual([404, expect.stringMatching(/desc="0 operations"/)]);
      expect(await timed.stop()).toBe(0);
      expect(JSON.parse(lineOf(timed.logs(), response.headers.get('x-request-id'))!).storeOperations).toEqual([{ op: expect.stringMatching(/^SELECT .* FROM "users"/), ms: expect.any(Number) }]);
    } finally {
      await timed.stop();
    }
    const plain = await serve();
    try {
      const response = await fetch(`${plain.url}/users?limit=5`);
      expect(response.headers.get('server-timing')).toBeNull();
      expect(await plain.stop()).toBe(0);
      expect(JSON.parse(lineOf(plain.logs(), response.headers.get('x-request-id'))!).storeOperations).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });

  it("when the README's walkthrough runs against a fresh service, then every step answers as it says", async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const script = /## Walkthrough[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(script).toBeDefined();
    const service = await serve();
    try {
      const result = spawnSync('bash', ['-euo', 'pipefail'], {
        input: script!.replaceAll('http://127.0.0.1:3000', service.url),
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const statuses = [...result.stdout.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => m[1]);
      expect(statuses).toEqual(['201', '204', '204']);
      const problems = [...result.stdout.matchAll(/"status":(\d{3})/g)].map((m) => m[1]);
      expect(problems).toEqual(['409', '401', '400', '401']);
      expect(result.stdout).not.toContain('analytical engine 1843');
      await service.stop(); // spawnSync held the event loop: the service's output is read once it has exited
      const logs = service.logs();
      expect(logs).toContain('"authorization":"[Redacted]"');
      expect(logs).not.toMatch(/analytical engine 1843|Bearer [\w-]{43}|\$scrypt\$/);
      expect(result.stdout).toContain('"displayName":"Augusta Ada King"');
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('{"items":[],"limit":20,"nextCursor":null}');
    } finally {
      await service.stop();
    }
  });

  it.each(enabledStores())('when the service starts again on the %s data it wrote, then it serves that data unchanged and takes new writes', async (name) => {
    const database = await createTestDatabase(name);
    const env = { DATABASE_URL: database.url, PASSWORD_HASH_COST: '10' };
    const signUp = { email: 'ada@example.com', username: 'ada', displayName: 'Ada', password: 'analytical engine 1843' };
    try {
      const written = await withService(env, async (url) => {
        const user = await call(url, '/users', signUp);
        const token = (await call(url, '/auth/login', { email: signUp.email, password: signUp.password })).body.accessToken as string;
        const post = await call(url, '/posts', { title: 'Notes', content: 'On the Engine', publicationDate: '1843-09-01T00:00:00Z' }, token);
        expect([user.status, post.status]).toEqual([201, 201]);
        return { user: user.body, token, post: post.body };
      });

      await withService(env, async (url) => {
        expect(await call(url, '/users/me', undefined, written.token)).toEqual({ status: 200, body: written.user });
        expect(await call(url, `/posts/${written.post.id}`)).toEqual({ status: 200, body: written.post });
        expect((await call(url, '/posts', { title: 'More', content: 'After the restart' }, written.token)).status).toBe(201);
        expect((await call(url, '/users', { ...signUp, username: 'ada2' })).status).toBe(409);
      });
    } finally {
      await database.drop();
    }
  });
});

/** Runs `work` against the built service started with `env`, then expects it to stop cleanly. */
async function withService<T>(env: Record<string, string>, work: (url: string) => Promise<T>): Promise<T> {
  const service = await serve(env);
  try {
    const result = await work(service.url);
    expect(await service.stop()).toBe(0);
    return result;
  } finally {
    await service.stop();
  }
}

/** A JSON request to the service: a GET, or a POST when there is a body. */
async function call(url: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) };
  const response = await fetch(`${url}${path}`, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The built service on a free port, as `npm start` runs it: on a new SQLite file unless `env` names another store. */
async function serve(env: Record<string, string> = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'dualstore-start-'));
  const file = join(folder, 'nested', 'blog.sqlite');
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH, DATABASE_URL: `sqlite:${file}`, PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const url = await new Promise<string>((done, fail) => {
    child.stdout.on('data', () => {
      const match = /"address":\{"address":"([^"]+)","family":"[^"]+","port":(\d+)\}/.exec(output);
      if (match) done(`http://${match[1]}:${match[2]}`);
    });
    void exited.then((code) => fail(new Error(`exited with ${code}: ${output}`)));
  });
  return {
    url,
    file,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(folder, { recursive: true, force: true });
      return code;
    },
  };
}
