import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type StoreName, enabledStores, readProvisioned } from '../support/stores';

const root = resolve(__dirname, '../..');
const scenarioNames = ['get-by-id', 'first-page', 'deep-page', 'feed', 'first-page-signed-in', 'conduit-articles', 'conduit-feed', 'update', 'create'];
/** What a run without --scenarios loads: all but the Conduit lists. */
const defaultScenarioNames = scenarioNames.filter((name) => !name.startsWith('conduit-'));
/** A build of the service and the tools of its own (the bench runs the service of its build), so that other test files building dist/ meanwhile do not matter. */
let build: string;
let out: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run bench -- ...args` (or another bench of the same build) as compiled, with its output and exit code. */
function bench(args: string[], main = 'tools/bench/main.js', env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(build, main), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** Where the benches make their databases: the servers the tests use (the test run's FerretDB, rather than one more). */
function storeServers(name: StoreName): NodeJS.ProcessEnv {
  const provisioned = readProvisioned()[name];
  if (!provisioned.ran) throw new Error(`${name} was not provisioned: ${provisioned.reason}`);
  const variable = { sqlite: undefined, postgres: 'POSTGRES_URL', mysql: 'MYSQL_URL', mongodb: 'MONGODB_URL' }[name];
  return variable === undefined ? {} : { [variable]: provisioned.serverUrl };
}

interface ServerJson {
  requestsPerSecond: { median: number };
  cpuMsPerRequest: { median: number };
  rounds: unknown[];
  errors: number;
  non2xx: number;
}

interface OursJson extends ServerJson {
  logLevel: string;
  ratio: { median: number; min: number; max: number };
  cpuRatio: { median: number; min: number; max: number };
}

beforeAll(() => {
  mkdirSync(join(root, 'dist'), { recursive: true });
  build = mkdtempSync(join(root, 'dist', 'bench-test-'));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tools/tsconfig.json'), '--outDir', build]);
  out = mkdtempSync(join(tmpdir(), 'dualstore-bench-out-'));
}, 180_000);

afterAll(() => {
  rmSync(build, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('npm run bench', () => {
  it('[sqlite] when run on a tiny dataset, then it checks both servers answer alike, loads every default scenario without a failed request and writes the JSON and the table', async () => {
    const run = await bench(['--stores', 'sqlite', '--users', '5', '--posts', '200', '--duration', '1', '--connections', '2', '--rounds', '2', '--out', out]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('[sqlite] identity checked') });

    const jsonFile = readdirSync(out).find((name) => /^\d{4}-\d{2}-\d{2}-sqlite\.json$/.test(name));
    expect(jsonFile).toBeDefined();
    const result = JSON.parse(readFileSync(join(out, jsonFile!), 'utf8')) as {
      seeded: { users: number; posts: number };
      identityChecks: string[];
      scenarios: { name: string; label: string; ours: OursJson[]; baseline: ServerJson }[];
    };
    expect(result.seeded).toMatchObject({ users: 5, posts: 200 });
    expect(result.identityChecks).toEqual(
      expect.arrayContaining(['GET /posts?limit=20', 'GET /posts?limit=20&cursor=<deep>', 'POST /posts (ids and timestamps masked)']),
    );
    expect(result.scenarios.map((scenario) => scenario.name)).toEqual(defaultScenarioNames);
    for (const scenario of result.scenarios) {
      // The service as shipped and at warn, each against the same baseline rounds.
      expect(scenario.ours.map((ours) => ours.logLevel)).toEqual(['info', 'warn']);
      for (const server of [...scenario.ours, scenario.baseline]) {
        expect({ scenario: scenario.name, errors: server.errors, non2xx: server.non2xx, rounds: server.rounds.length }).toEqual({
          scenario: scenario.name, errors: 0, non2xx: 0, rounds: 2,
        });
        expect(server.requestsPerSecond.median).toBeGreaterThan(0);
        expect(server.cpuMsPerRequest.median).toBeGreaterThan(0);
      }
      for (const ours of scenario.ours) {
        expect(ours.ratio.min).toBeLessThanOrEqual(ours.ratio.median);
        expect(ours.ratio.median).toBeLessThanOrEqual(ours.ratio.max);
        expect(ours.cpuRatio.median).toBeGreaterThan(0);
      }
    }

    const table = readFileSync(join(out, 'latest.md'), 'utf8');
    for (const { label } of result.scenarios) for (const level of ['info', 'warn']) expect(table).toContain(`| sqlite | ${label} | ${level} |`);
    expect(table).not.toContain('FAILED');
  }, 300_000);

  it('when an option is bad, then it exits with 2 and the usage, without a stack', async () => {
    const run = await bench(['--duration', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--duration must be a whole number of at least 1, not 'soon'");
    expect(run.stderr).toContain('usage: npm run bench');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  it('when --scenarios names one that does not exist, then it exits with 2 and the usage, which lists them', async () => {
    const run = await bench(['--scenarios', 'feed,front-page']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown scenario 'front-page'");
    expect(run.stderr).toContain(`--scenarios LIST           scenarios to load, from ${scenarioNames.join(',')}`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe.each(enabledStores())('%s: npm run bench, the feed, the signed-in page and the Conduit lists', (name) => {
  it('when run with --scenarios on a tiny dataset, then the baseline answers the feeds, the signed-in pages and the Conduit lists as the service does, and only those scenarios load, without a failed request', async () => {
    const run = await bench(
      [
        '--stores', name, '--scenarios', 'conduit-feed,first-page-signed-in,feed,conduit-articles', '--users', '5', '--posts', '200', '--mongodb-posts', '100', '--duration', '1',
        '--connections', '2', '--mongodb-connections', '2', '--rounds', '2', '--log-levels', 'warn', '--out', join(out, name),
      ],
      'tools/bench/main.js',
      storeServers(name),
    );
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`[${name}] identity checked`) });

    const jsonFile = readdirSync(join(out, name)).find((file) => file.endsWith(`-${name}.json`));
    const result = JSON.parse(readFileSync(join(out, name, jsonFile!), 'utf8')) as {
      identityChecks: string[];
      scenarios: { name: string; label: string; ours: OursJson[]; baseline: ServerJson }[];
    };
    expect(result.identityChecks).toEqual(
      expect.arrayContaining([
        'GET /posts?limit=20 signed in',
        'GET /posts/:id signed in, favorited: true',
        'GET /posts/:id signed in, favorited: false',
        'GET /feed?limit=20',
        'GET /feed?limit=20&cursor=<page 2>',
        'GET /api/articles?limit=20 signed in',
        'GET /api/articles?limit=20',
        'GET /api/articles?limit=20&offset=<followed and not> signed in',
        'GET /api/articles/feed?limit=20',
        'GET /api/articles/feed?limit=20&offset=20',
      ]),
    );
    // In the order they always run, whatever the order asked; the reader follows the 4 other users.
    expect(result.scenarios.map(({ name: scenario, label }) => [scenario, label])).toEqual([
      ['feed', 'GET /feed?limit=20 (4 followees)'],
      ['first-page-signed-in', 'GET /posts?limit=20 signed in (10 of 20 favorited)'],
      ['conduit-articles', 'GET /api/articles?limit=20 signed in (with articlesCount)'],
      ['conduit-feed', 'GET /api/articles/feed?limit=20 (4 followees, 10 of 20 favorited)'],
    ]);
    for (const scenario of result.scenarios) {
      for (const server of [...scenario.ours, scenario.baseline]) {
        expect({ scenario: scenario.name, errors: server.errors, non2xx: server.non2xx, rounds: server.rounds.length }).toEqual({
          scenario: scenario.name, errors: 0, non2xx: 0, rounds: 2,
        });
        expect(server.requestsPerSecond.median).toBeGreaterThan(0);
      }
    }
  }, 300_000);
});

describe.each(enabledStores())('%s: npm run bench:feed', (name) => {
  it('when run small, then it reports the first page and the deep page of the feed for each number of followees', async () => {
    const run = await bench([name, '--authors', '12', '--followees', '4,12', '--posts-per-author', '2', '--depth', '5'], 'tools/bench/feed.js', storeServers(name));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`[${name}] 12 followees: first page`) });
    expect(run.stdout).toContain('| store | followees | first page, median ms | 5 posts deep, median ms |');
    for (const followees of [4, 12]) expect(run.stdout).toMatch(new RegExp(`^\\| ${name} \\| ${followees} \\| [\\d.]+ \\| [\\d.]+ \\|$`, 'm'));
  }, 120_000);
});

describe('npm run bench:feed', () => {
  const feed = (args: string[]) => bench(args, 'tools/bench/feed.js');

  it.each([
    [['--followees', '100,50'], "--followees must be ascending counts of at most --authors (10000), not '100,50'"],
    [['--authors', '10', '--followees', '5,20'], "--followees must be ascending counts of at most --authors (10), not '5,20'"],
    [['--followees', '10', '--depth', '20', '--posts-per-author', '2'], '--depth must be fewer than the posts of the fewest followees (20), not 20'],
    [['--posts-per-author', 'two'], "--posts-per-author must be a whole number of at least 1, not 'two'"],
    [['cassandra'], 'unknown store cassandra'],
    [['--stores', 'sqlite'], "Unknown option '--stores'"],
  ])('when the options are %j, then it exits with 2 and the usage, without a stack', async (args, message) => {
    const run = await feed(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('usage: npm run bench:feed');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('npm run bench:abuse', () => {
  const abuse = (args: string[]) => bench(args, 'tools/bench/abuse/main.js');

  it('[sqlite] when run briefly on a tiny dataset, then it probes the service while the abusive clients run and writes the JSON and the table', async () => {
    const run = await abuse([
      '--stores', 'sqlite', '--posts', '200', '--seconds', '1', '--quiet-seconds', '1', '--rounds', '1', '--searchers', '2', '--nesters', '1',
      '--build', `this=${join(build, 'src/main.js')}`, '--out', out,
    ]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('[sqlite] round 1: this') });
    expect(run.stdout).toMatch(/^\| sqlite \(200 posts\) \| this \|/m);

    const jsonFile = readdirSync(out).find((name) => name.startsWith('abuse-') && name.endsWith('.json'));
    expect(jsonFile).toBeDefined();
    const { results } = JSON.parse(readFileSync(join(out, jsonFile!), 'utf8')) as {
      results: { build: string; abused: Record<'post' | 'healthz', { samples: number; statuses: Record<string, number> }>; searches: { requests: number }; nested: { seconds: number } }[];
    };
    expect(results).toHaveLength(1);
    const [result] = results;
    expect(result.build).toBe('this');
    for (const probe of Object.values(result.abused)) {
      expect(probe.samples).toBeGreaterThan(0);
      expect(probe.statuses).toEqual({ 200: probe.samples });
    }
    expect(result.searches.requests).toBeGreaterThan(0);
    // A 1 MB body may take longer than the one second to be answered: that the load ran is what is checked.
    expect(result.nested.seconds).toBeGreaterThan(0);
  }, 300_000);

  it('when an option is bad, then it exits with 2 and the usage, without a stack', async () => {
    const run = await abuse(['--build', 'nolabel']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--build must be LABEL=path/to/main.js, not 'nolabel'");
    expect(run.stderr).toContain('usage: npm run bench:abuse');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('npm run bench:pagination', () => {
  const pagination = (args: string[]) => bench(args, 'tools/bench/pagination.js');

  it('[sqlite] when run briefly on a tiny dataset, then it times the pages, loads the first page with and without a count in every round and writes the JSON and the table', async () => {
    const run = await pagination(['--stores', 'sqlite', '--posts', '200', '--samples', '2', '--seconds', '1', '--connections', '2', '--rounds', '2', '--out', out]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('[sqlite] loading the first page with 2 connections, 2 rounds') });
    expect(run.stdout).toMatch(/^\| sqlite \| 200 \| [\d.]+ \| page 10 \|.*\| [\d,]+ \[[\d,]+-[\d,]+\] \| [\d,]+ \[[\d,]+-[\d,]+\] \|$/m);

    const jsonFile = readdirSync(out).find((name) => name.startsWith('pagination-') && name.endsWith('.json'));
    expect(jsonFile).toBeDefined();
    const { results } = JSON.parse(readFileSync(join(out, jsonFile!), 'utf8')) as {
      results: { store: string; firstPageRps: { median: number; min: number; max: number }; countedFirstPageRps: { median: number } }[];
    };
    expect(results.map(({ store }) => store)).toEqual(['sqlite']);
    const [{ firstPageRps, countedFirstPageRps }] = results;
    expect(firstPageRps.min).toBeGreaterThan(0);
    expect(firstPageRps.min).toBeLessThanOrEqual(firstPageRps.median);
    expect(firstPageRps.median).toBeLessThanOrEqual(firstPageRps.max);
    expect(countedFirstPageRps.median).toBeGreaterThan(0);
  }, 300_000);

  it('when an option is bad, then it exits with 2 and the usage, without a stack', async () => {
    const run = await pagination(['--rounds', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--rounds must be a whole number of at least 1, not 'many'");
    expect(run.stderr).toContain('usage: npm run bench:pagination');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
