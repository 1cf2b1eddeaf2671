import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type StoreName, type TestDatabase, createTestDatabase } from './support/stores';

const root = resolve(__dirname, '..');
/** A build of the service and the tools of its own, so that other test files building dist/ meanwhile do not matter. */
let build: string;
const running: { child: ChildProcess; database: TestDatabase }[] = [];

/** `npm run demo -- …args` as CI runs it: the compiled demo, its output and exit code. */
async function demo(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(build, 'tools/demo/main.js'), ...args], { env: { ...process.env, COLUMNS: '160' }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: stdout };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: `${stdout}${stderr}` };
  }
}

/** The built service on a fresh database of `store`, on a free port; answers its URL once it listens. */
async function serve(store: StoreName, env: Record<string, string> = {}): Promise<string> {
  const database = await createTestDatabase(store);
  const child = spawn(process.execPath, [join(build, 'src/main.js')], {
    env: { PATH: process.env.PATH, DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'info', PASSWORD_HASH_COST: '10', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.push({ child, database });
  let output = '';
  return new Promise<string>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"address":\{"address":"([^"]+)","family":"[^"]+","port":(\d+)\}/.exec(output);
      if (match) done(`http://${match[1]}:${match[2]}`);
    });
    child.once('exit', (code) => fail(new Error(`the ${store} service exited with ${code}: ${output}`)));
  });
}

beforeAll(() => {
  mkdirSync(join(root, 'dist'), { recursive: true });
  build = mkdtempSync(join(root, 'dist', 'demo-test-'));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tools/tsconfig.json'), '--outDir', build]);
}, 180_000);

afterAll(async () => {
  await Promise.all(
    running.map(async ({ child, database }) => {
      if (child.exitCode === null) await new Promise((done) => child.once('exit', done).kill('SIGTERM'));
      await database.drop();
    }),
  );
  rmSync(build, { recursive: true, force: true });
});

/** The pairs the demo compares: every store once, SQL against MongoDB and SQL against SQL. */
const pairs: [StoreName, StoreName][] = [
  ['sqlite', 'mongodb'],
  ['postgres', 'mysql'],
];
const runs = new Map<string, Promise<{ code: number; output: string }>>();
let sqlite: Promise<string> | undefined;

/** The demo between a service on `a` and one on `b`, run once for the tests of both stores. */
function demoBetween(a: StoreName, b: StoreName): Promise<{ code: number; output: string }> {
  const key = `${a} ${b}`;
  if (!runs.has(key)) runs.set(key, Promise.all([a === 'sqlite' ? sharedSqlite() : serve(a), serve(b)]).then(([urlA, urlB]) => demo(urlA, urlB)));
  return runs.get(key)!;
}

/** One sqlite service for two runs of the demo, as the login and sign-up limits allow (tools/demo/scenario.ts). */
function sharedSqlite(): Promise<string> {
  sqlite ??= serve('sqlite');
  return sqlite;
}

// Each store's tests are titled by the store, so that the run's report counts all four; both stores of a pair
// share one run of the demo.
describe.each(pairs.flatMap(([a, b]) => [[a, a, b], [b, a, b]] as const))('%s: npm run demo', (_store, a, b) => {
  it(`when run against the service on ${a} and on ${b}, then every answer of both APIs matches and it ends "identical" with exit code 0`, async () => {
    const result = await demoBetween(a, b);

    expect(result.output).toMatch(/\nidentical: \d+ steps, /);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/\n══ The native API ═+\n[^]*\n══ The Conduit API at \/api ═+\n/);
    // What differs by nature is masked, and what is left is the API's own answer.
    expect(result.output).toContain('"id": "<post#1>"');
    expect(result.output).toContain('"accessToken": "<token>"');
    expect(result.output).toContain('< 304 Not Modified');
    expect(result.output).toContain('idempotent-replayed: true');
    expect(result.output).toContain('Authorization: Token <token>');
    expect(result.output).toContain('"token": "<token>"');
    expect(result.output).toContain('"slug": "how-to-train-your-dragon-part-two-<article#2>"');
    expect(result.output).toContain('"id": "<comment#3>"');
  }, 120_000);
});

describe('sqlite: npm run demo', () => {
  it('when one sqlite instance answers otherwise (a lower login limit), then it prints the differing lines and exits 1', async () => {
    const result = await demo(await sharedSqlite(), await serve('sqlite', { LOGIN_RATE_LIMIT: '2' }));

    expect(result.code).toBe(1);
    expect(result.output).toMatch(/\ndifferent: \d+ of \d+ steps \(- A, \+ B\)\n/);
    expect(result.output).toMatch(/\n\d+\. log in as the second user\n- < 200 OK\n(?:- .*\n)*\+ < 429 Too Many Requests\n/);
    expect(result.output).not.toMatch(/\nidentical: /);
  }, 60_000);
});

// Each store's test is titled by the store, so that the run's report counts both; they share one run.
let persistence: Promise<{ code: number; output: string }> | undefined;
describe.each(['postgres', 'mongodb'] as const)('%s: npm run demo -- --persistence', () => {
  it('when run on PostgreSQL and MongoDB in process, then each step shows under its answers what each store ran, and the answers match', async () => {
    persistence ??= Promise.all([createTestDatabase('postgres'), createTestDatabase('mongodb')]).then(async (databases) => {
      try {
        return await demo('--persistence', databases[0].url, databases[1].url);
      } finally {
        await Promise.all(databases.map((database) => database.drop()));
      }
    });
    const result = await persistence;

    expect(result.output).toMatch(/\nidentical: \d+ steps, /);
    expect(result.code).toBe(0);
    // Sign-up: PostgreSQL's INSERT beside MongoDB's insert, placeholders only.
    expect(result.output).toMatch(/\n── 1\. sign up ─+\n[^]*?\n1 store operation +┆ 1 store operation\n1\) INSERT INTO "users"\(.*┆ 1\) insert users\n/);
    // A signed-in read: the session first, by its hash, on both.
    expect(result.output).toMatch(/\n1\) SELECT s\.token_hash .*┆ 1\) find sessions \{_id: \?\}\n/);
    expect(result.output).not.toContain('analytical engine 1843\n1)');
    expect(result.output).not.toMatch(/┆ .*@example\.com/);
  }, 120_000);
});

describe('npm run demo', () => {
  it('when not given two URLs, then it says how to run it and exits 2', async () => {
    for (const args of [['http://127.0.0.1:1', 'not a url'], ['--persistence', 'sqlite']]) {
      const result = await demo(...args);

      expect(result.code).toBe(2);
      expect(result.output).toContain('usage: npm run demo -- <baseUrlA> <baseUrlB>');
      expect(result.output).toContain('npm run demo -- --persistence <storeA> <storeB>');
    }
  });
});
