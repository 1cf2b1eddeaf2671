import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MigrationExecutor } from 'typeorm';
import { PasswordHasher } from '../../src/auth/passwords';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { maxDescriptionLength } from '../../src/domain/post';
import { openStore } from '../../src/stores/open-store';
import { createDataSource } from '../../src/stores/typeorm/data-source';
import { migrations } from '../../src/stores/typeorm/migrations/index';
import { compareStores, hasDifference } from '../../tools/copy/verify';
import { aPost, aUser, emoji } from '../support/factories';
import { type StoreName, type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';
import { startTcpProxy } from '../support/tcp-proxy';

const root = resolve(__dirname, '../..');
/** A build of the tools of its own, so that other test files building dist/ meanwhile do not matter. */
let build: string;
const databases: TestDatabase[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run copy -- ...args` as a user runs it, once built: its output and exit code. */
async function copy(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(build, 'tools/copy/main.js'), ...args], {
      env: { PATH: process.env.PATH },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as Run;
    return { code, stdout, stderr };
  }
}

async function database(store: StoreName): Promise<TestDatabase> {
  const created = await createTestDatabase(store);
  databases.push(created);
  return created;
}

async function opened<T>(url: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseConfig(url));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const password = 'a password of the source 🔑';
const longest = (length: number) => `${emoji(1)}${'ü'.repeat(length - 1)}`;

/**
 * What a source holds for these tests: users with a password (hashed at cost 10), posts with tags, follows
 * both ways, favorites and comments; unicode everywhere, the longest texts the API takes (in code points, an
 * emoji among them) and its oldest and newest instants.
 */
async function fill(url: string): Promise<void> {
  const hash = await new PasswordHasher(10).hash(password);
  await opened(url, async (store) => {
    const ada = await store.users.create(aUser({ email: 'Ada@Example.com', username: 'Ada_L', displayName: longest(100), bio: longest(1_000), image: `https://example.com/${'a'.repeat(2_048 - 20)}`, passwordHash: hash }));
    const bob = await store.users.create(aUser({ email: 'bob@example.com', username: 'bob', bio: 'Grüße, 世界', passwordHash: hash }));
    const notes = await store.posts.create(
      aPost(ada.id, { title: longest(255), description: longest(maxDescriptionLength), content: longest(100_000), tags: ['engine', longest(32)], publicationDate: new Date('1000-01-01T00:00:00.000Z') }),
    );
    const poem = await store.posts.create(aPost(bob.id, { title: '詩', content: 'A poem with "quotes", a back\\slash, a tab\t and a new\nline', publicationDate: new Date('9999-12-31T23:59:59.999Z') }));
    await store.posts.update(poem.id, { title: '詩 (revised)' });
    await store.follows.follow(ada.id, bob.id);
    await store.follows.follow(bob.id, ada.id);
    await store.favorites.favorite(bob.id, notes.id);
    await store.favorites.favorite(ada.id, notes.id);
    await store.comments.create({ postId: notes.id, authorId: bob.id, content: longest(10_000) });
    await store.comments.create({ postId: poem.id, authorId: ada.id, content: 'Lovely' });
  });
}

beforeAll(() => {
  mkdirSync(join(root, 'dist'), { recursive: true });
  build = mkdtempSync(join(root, 'dist', 'copy-test-'));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tools/tsconfig.json'), '--outDir', build]);
}, 180_000);

afterAll(async () => {
  await Promise.all(databases.map((created) => created.drop()));
  rmSync(build, { recursive: true, force: true });
});

const stores = enabledStores();
const pairs = stores.flatMap((from) => stores.filter((to) => to !== from).map((to) => [from, to] as const));

// Each pair is titled by its target, so that the run's report counts every store.
describe.each(pairs.map(([from, to]) => [to, from] as const))('%s: npm run copy from %s', (to, from) => {
  it(`when ${from} is copied into an empty ${to}, then every record arrives, it verifies, and everyone logs in with their password`, async () => {
    const [source, target] = [await database(from), await database(to)];
    await fill(source.url);

    const run = await copy('--from', source.url, '--to', target.url, '--batch', '1');

    // A failure shows the output: it names what differs.
    if (run.code !== 0) throw new Error(`exit code ${run.code}\n${run.stdout}${run.stderr}`);
    expect(run.stdout).toMatch(/^copy: wrote 10 records in [\d.]+ s \(\d+ records\/s\): 2 users, 2 posts, 2 follows, 2 favorites, 2 comments$/m);
    expect(run.stdout).toContain('verify comments: 2 in the source, 2 in the target, identical');
    for (const kind of ['users', 'posts', 'comments']) expect(run.stdout).toContain(`verify ids of ${kind}: 2 followed from the source, each to the same record`);
    expect(run.stdout).toContain('verify: every record the same in both stores');
    await opened(target.url, async (store) => {
      const credentials = await store.users.findCredentials('ada@example.com');
      expect(await new PasswordHasher(10).verify(password, credentials!.passwordHash)).toBe(true);
    });
  }, 60_000);
});

describe('npm run copy', () => {
  it('when SQLite is copied to MongoDB, to PostgreSQL, to MariaDB and back to SQLite, then the last holds what the first did', async () => {
    const chain = await Promise.all((['sqlite', 'mongodb', 'postgres', 'mysql', 'sqlite'] as const).map((store) => database(store)));
    await fill(chain[0].url);
    for (let i = 1; i < chain.length; i++) expect((await copy('--from', chain[i - 1].url, '--to', chain[i].url)).code).toBe(0);

    const comparisons = await opened(chain[0].url, (first) => opened(chain[4].url, (last) => compareStores(first, last, 100)));
    expect(comparisons.map(({ kind, source, target }) => [kind, source, target])).toEqual([
      ['users', 2, 2], ['posts', 2, 2], ['follows', 2, 2], ['favorites', 2, 2], ['comments', 2, 2],
    ]);
    expect(hasDifference(comparisons)).toBe(false);
  }, 120_000);

  it('when a record of the target is changed on purpose, then --verify names it and exits 1', async () => {
    const [source, target] = [await database('sqlite'), await database('mongodb')];
    await fill(source.url);
    expect((await copy('--from', source.url, '--to', target.url)).code).toBe(0);
    await opened(target.url, async (store) => {
      const bob = await store.users.findByUsername('bob');
      await store.users.update(bob!.id, { bio: 'changed' });
    });

    const run = await copy('--verify', '--from', source.url, '--to', target.url);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('verify users: 2 in the source, 2 in the target, 1 differ, 0 missing, 0 extra');
    expect(run.stdout).toContain('  user bob: differs');
    expect(run.stdout).toContain('verify: DIFFERENT');
  }, 60_000);

  it("when the target's map of moved ids sends an old id to another record, then --verify names it and exits 1", async () => {
    const [source, target] = [await database('mongodb'), await database('postgres')];
    await fill(source.url);
    expect((await copy('--from', source.url, '--to', target.url)).code).toBe(0);
    const mapped = createDataSource(databaseConfig(target.url));
    await mapped.initialize();
    await mapped.query("UPDATE moved_ids SET new_id = CASE WHEN new_id = (SELECT MIN(new_id) FROM moved_ids WHERE kind = 'users') THEN new_id + 1 ELSE new_id - 1 END WHERE kind = 'users'");
    await mapped.destroy();

    const run = await copy('--verify', '--from', source.url, '--to', target.url);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('verify users: 2 in the source, 2 in the target, identical');
    expect(run.stdout).toContain('verify ids of users: 2 followed from the source, 2 to another record, 0 to none');
    expect(run.stdout).toMatch(/^ {2}user ada_l: id leads to another record$/m);
    expect(run.stdout).toContain('verify: DIFFERENT');
  }, 60_000);

  it.each([['postgres', 'mongodb'], ['mongodb', 'mysql']] as const)('when the copy from %s to %s is killed at three points and started again each time, then it finishes with no duplicate and no gap', async (from, to) => {
    const [source, target] = [await database(from), await database(to)];
    await fill(source.url);
    for (const linesBeforeKill of [1, 2, 2]) {
      const child = started('--from', source.url, '--to', target.url, '--batch', '1');
      await killedAfter(child, linesBeforeKill);
    }

    const run = await copy('--from', source.url, '--to', target.url, '--batch', '1');

    // The kills left work to do.
    expectTheRestWritten(run);
  }, 120_000);

  it.each([
    ['sqlite', 'postgres', 'target'],
    ['mongodb', 'mysql', 'source'],
  ] as const)('when a copy from %s to %s loses its %s midway, then it stops in one line with exit code 3, and run again once the store is back it finishes with no duplicate and no gap', async (from, to, side) => {
    const [source, target] = [await database(from), await database(to)];
    await fill(source.url);
    const lost = new URL(side === 'source' ? source.url : target.url);
    const proxy = await startTcpProxy({ host: lost.hostname, port: Number(lost.port) });
    lost.port = String(proxy.port);
    const urls = { source: source.url, target: target.url, [side]: lost.toString() };
    try {
      const child = started('--from', urls.source, '--to', urls.target, '--batch', '1');
      let stderr = '';
      // Held still after its first batch while the store goes, so that the copy meets the loss at its next call.
      child.stderr!.on('data', (chunk: Buffer) => {
        const first = stderr === '';
        stderr += chunk.toString();
        if (first && child.kill('SIGSTOP')) {
          proxy.cut();
          child.kill('SIGCONT');
        }
      });
      const code = await new Promise<number | null>((done) => child.once('exit', done));

      expect(code).toBe(3);
      expect(stderr).toMatch(new RegExp(`^copy: the ${side} at .+ became unavailable \\(.+\\); what was written is kept: run the same command again to go on from there$`, 'm'));

      proxy.restore();
      const run = await copy('--from', urls.source, '--to', urls.target, '--batch', '1');

      expectTheRestWritten(run);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('when it runs on a terminal, then it shows a bar per kind with its records and records per second', async () => {
    const [source, target] = [await database('sqlite'), await database('postgres')];
    await fill(source.url);

    // script(1) gives the copy a pseudo-terminal, as a user's shell would.
    const command = [process.execPath, join(build, 'tools/copy/main.js'), '--from', source.url, '--to', target.url].map((word) => `'${word}'`).join(' ');
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH } });

    for (const kind of ['users', 'posts', 'follows', 'favorites', 'comments']) {
      expect(stdout).toMatch(new RegExp(`${kind} *\\[[^\\]]+\\] 2/2 \\d+ records/s`));
    }
    expect(stdout).toContain('verify: every record the same in both stores');
  }, 60_000);

  it('when a copy into PostgreSQL is under way, then its tables have no secondary index or foreign key, and once it finishes every one is back as a new database has it', async () => {
    const [source, target, fresh] = [await database('sqlite'), await database('postgres'), await database('postgres')];
    await fill(source.url);
    await opened(fresh.url, async () => {});
    const schemaOf = async (url: string) => {
      const schema = createDataSource(databaseConfig(url));
      await schema.initialize();
      try {
        const indexes = (await schema.query("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname")) as { indexdef: string }[];
        const constraints = (await schema.query(
          'SELECT conrelid::regclass AS relation, conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY conname',
        )) as { relation: string; conname: string; definition: string }[];
        return { indexes: indexes.map(({ indexdef }) => indexdef), constraints: constraints.map(({ relation, conname, definition }) => `${relation} ${conname} ${definition}`) };
      } finally {
        await schema.destroy();
      }
    };
    const whole = await schemaOf(fresh.url);

    const child = started('--from', source.url, '--to', target.url, '--batch', '1');
    await killedAfter(child, 2);
    const midway = await schemaOf(target.url);

    const copied = /^(users|posts|post_tags|comments|follows|favorites) /;
    const foreignKeys = (schema: typeof whole) => schema.constraints.filter((line) => copied.test(line) && line.includes('FOREIGN KEY'));
    const secondaryIndexes = (schema: typeof whole) =>
      schema.indexes.filter((line) => / ON public\.(users|posts|post_tags|comments|follows|favorites) /.test(line) && !line.startsWith('CREATE UNIQUE'));
    expect(foreignKeys(whole)).not.toEqual([]);
    expect(secondaryIndexes(whole)).not.toEqual([]);
    expect(foreignKeys(midway)).toEqual([]);
    expect(secondaryIndexes(midway)).toEqual([]);

    expect((await copy('--from', source.url, '--to', target.url, '--batch', '1')).code).toBe(0);
    expect(await schemaOf(target.url)).toEqual(whole);
  }, 120_000);

  it('when the target holds other data, then the copy is refused in one line with exit code 4 and nothing is written', async () => {
    const [source, target] = [await database('sqlite'), await database('postgres')];
    await fill(source.url);
    await opened(target.url, (store) => store.users.create(aUser({ email: 'someone@example.com', username: 'someone' })));

    const run = await copy('--from', source.url, '--to', target.url);

    expect(run.code).toBe(4);
    expect(run.stderr).toBe('copy: the target holds data already: copy into an empty database; nothing was written\n');
    expect(await opened(target.url, (store) => store.transfer.count('users'))).toBe(1);
  }, 60_000);

  it('when the arguments are wrong or name one store twice, then it says so with the usage and exits 2', async () => {
    for (const args of [[], ['--from', 'sqlite::memory:'], ['--from', 'nosuch://x', '--to', 'sqlite::memory:'], ['--from', 'sqlite:/tmp/a.sqlite', '--to', 'sqlite:/tmp/../tmp/a.sqlite'], ['--from', 'sqlite:a', '--to', 'sqlite:b', '--batch', '0']]) {
      const run = await copy(...args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^copy: .+\nusage: npm run copy -- --from URL --to URL/);
    }
  });

  it("when the source's schema is older than the code, then it is refused in one line with exit code 3 and left as it was", async () => {
    const [source, target] = [await database('postgres'), await database('sqlite')];
    const older = createDataSource(databaseConfig(source.url));
    older.setOptions({ migrations: migrations.slice(0, -1) });
    await older.initialize();
    await older.runMigrations();
    await older.destroy();

    const run = await copy('--from', source.url, '--to', target.url);

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^copy: cannot open postgres store at .+: its schema is older than this code \(1 migrations not applied, the first .+\): bring it up to date first .+\n$/);
    const applied = createDataSource(databaseConfig(source.url));
    await applied.initialize();
    expect((await new MigrationExecutor(applied).getPendingMigrations()).length).toBe(1);
    await applied.destroy();
  }, 60_000);

  it('when a store cannot be reached, then it says which in one line and exits 3', async () => {
    const run = await copy('--from', 'postgres://postgres@127.0.0.1:1/nothing', '--to', 'sqlite::memory:');

    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^copy: cannot open postgres store at 127\.0\.0\.1:1\/nothing: .+\n$/);
  });
});

/** `npm run copy -- ...args` started as a user starts it, once built, its progress on `stderr`. */
function started(...args: string[]): ChildProcess {
  return spawn(process.execPath, [join(build, 'tools/copy/main.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH } });
}

/** A run that found a copy's unfinished work: it wrote the rest, fewer records than the whole, and nothing twice (the verify counts each kind). */
function expectTheRestWritten(run: Run): void {
  expect(run.code).toBe(0);
  const rest = Number(/^copy: resumed and wrote (\d+) records/m.exec(run.stdout)?.[1]);
  expect(rest).toBeGreaterThan(0);
  expect(rest).toBeLessThan(10);
  expect(run.stdout).toContain('verify: every record the same in both stores');
}

/** Resolves once `child` has written `lines` progress lines to stderr and has been killed with SIGKILL. */
function killedAfter(child: ChildProcess, lines: number): Promise<void> {
  return new Promise((done) => {
    let seen = 0;
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString().split('\n').length - 1;
      if (seen >= lines && child.exitCode === null) child.kill('SIGKILL');
    });
    child.once('exit', () => done());
  });
}
