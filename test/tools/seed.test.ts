import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PasswordHasher } from '../../src/auth/passwords';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';
import { seededEmail, seededPassword, seededPost, seededProfile } from '../../tools/seed/dataset';
import { compareCodePoints } from '../../src/domain/listing';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';

const root = resolve(__dirname, '../..');
/** A build of the tools of its own, so that other test files building dist/ meanwhile do not matter. */
let build: string;
let folder: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run seed -- ...args` as a user runs it, once built: its output and exit code. */
async function seed(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(build, 'tools/seed/main.js'), ...args], {
      env: { PATH: process.env.PATH, PASSWORD_HASH_COST: '10', DATABASE_CONNECT_TIMEOUT_MS: '2000' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as Run;
    return { code, stdout, stderr };
  }
}

/** A post as the dataset defines it, ids left out: what must be the same on every store and every run. */
interface DatasetPost {
  title: string;
  content: string;
  tags: string[];
  publicationDate: string;
  author: string;
}

/** Some order that does not depend on ids: posts of one batch may be numbered in any order. */
const canonical = (posts: DatasetPost[]) => posts.map((post) => JSON.stringify(post)).sort().map((json) => JSON.parse(json) as DatasetPost);

/** Posts 0 to `posts` - 1 of the dataset, by `users` authors. */
function expectedPosts(users: number, count: number): DatasetPost[] {
  const posts = Array.from({ length: count }, (_, i) => {
    const { title, content, tags, publicationDate, authorIndex } = seededPost(i, users);
    return { title, content, tags: tags!, publicationDate: publicationDate!.toISOString(), author: seededEmail(authorIndex) };
  });
  return canonical(posts);
}

/** Every post the store holds, with its author's email for the author. */
async function storedPosts(store: Store): Promise<DatasetPost[]> {
  const emails = new Map((await store.users.find({ limit: 1_000 })).items.map((user) => [user.id, user.email]));
  const { items } = await store.posts.find({ sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: 1_000 });
  return canonical(
    items.map(({ title, content, tags, publicationDate, authorId }) => ({ title, content, tags, publicationDate: publicationDate.toISOString(), author: emails.get(authorId)! })),
  );
}

async function withStore<T>(url: string, read: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseConfig(url));
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

const finalLine = /^seeded (\d+) users and (\d+) posts in \d+\.\d\d s: \d+ posts\/s\n$/;

beforeAll(() => {
  mkdirSync(join(root, 'dist'), { recursive: true });
  build = mkdtempSync(join(root, 'dist', 'seed-test-'));
  folder = mkdtempSync(join(build, 'databases-'));
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tools/tsconfig.json'), '--outDir', build]);
}, 180_000);

afterAll(() => rmSync(build, { recursive: true, force: true }));

describe('npm run seed', () => {
  it('when run on an empty SQLite file, then it exits 0 with the rate, and the store holds the dataset, tags and a working password', async () => {
    const url = `sqlite:${join(folder, 'once.sqlite')}`;

    const run = await seed('--users', '5', '--posts', '50', '--database-url', url);

    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(finalLine) });
    expect(finalLine.exec(run.stdout)!.slice(1, 3)).toEqual(['5', '50']);
    expect(run.stderr).toContain('seeded 50/50 posts');
    await withStore(url, async (store) => {
      expect(await store.users.count()).toBe(5);
      expect(await store.posts.count({})).toBe(50);
      expect(await storedPosts(store)).toEqual(expectedPosts(5, 50));
      const tags = (await store.tags.find({ limit: 500 })).items;
      expect(tags.length).toBeGreaterThan(0);
      expect(tags.reduce((sum, tag) => sum + tag.postCount, 0)).toBe(expectedPosts(5, 50).reduce((sum, post) => sum + post.tags.length, 0));
      const credentials = await store.users.findCredentials(seededEmail(4));
      expect(await new PasswordHasher(10).verify(seededPassword, credentials!.passwordHash)).toBe(true);
    });
  }, 60_000);

  it('when run twice with the same counts on two files, then both hold the same posts: titles, tags, dates and authors', async () => {
    const [first, second] = [join(folder, 'first.sqlite'), join(folder, 'second.sqlite')].map((path) => `sqlite:${path}`);

    expect((await seed('--users', '5', '--posts', '50', '--database-url', first)).code).toBe(0);
    expect((await seed('--users', '5', '--posts', '50', '--batch', '7', '--database-url', second)).code).toBe(0);

    const [a, b] = [await withStore(first, storedPosts), await withStore(second, storedPosts)];
    expect(a).toEqual(b);
    expect(new Set(a.map((post) => post.author)).size).toBeGreaterThan(1);
  }, 60_000);

  it('when run again on a seeded file, then it says the users are there already, in one line, and exits 1', async () => {
    const url = `sqlite:${join(folder, 'again.sqlite')}`;
    expect((await seed('--users', '2', '--posts', '0', '--database-url', url)).code).toBe(0);

    const run = await seed('--users', '2', '--posts', '3', '--database-url', url);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^seed: failed: user username is already taken .*\n$/);
  }, 60_000);

  it.each([
    ['an unknown flag', ['--users', '1', '--posts', '1', '--colour']],
    ['a count that is not a number', ['--users', 'many', '--posts', '1']],
    ['a negative count', ['--users', '1', '--posts', '-5']],
    ['a missing count', ['--users', '1']],
    ['posts without users', ['--users', '0', '--posts', '1']],
    ['a batch of none', ['--users', '1', '--posts', '1', '--batch', '0']],
    ['a URL of no store', ['--users', '1', '--posts', '1', '--database-url', 'ftp://example.com/x']],
  ])('when given %s, then it prints the usage and no stack, and exits 2', async (_case, args) => {
    const run = await seed(...args, ...(args.includes('--database-url') ? [] : ['--database-url', `sqlite:${join(folder, 'never.sqlite')}`]));

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^seed: .+\nusage: npm run seed -- --users N --posts M/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('when the store cannot be reached, then it says so in one line and exits 1', async () => {
    const run = await seed('--users', '1', '--posts', '1', '--database-url', 'postgres://postgres@127.0.0.1:1/nowhere');

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^seed: cannot open postgres store at 127\.0\.0\.1:1\/nowhere: .+\n$/);
  });

});

/** Each store seeded with the same counts and smaller batches holds exactly what the dataset defines: posts, users and tags. */
describe.each(enabledStores())('%s: npm run seed, the same dataset on every store', (name) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(name);
  });
  afterAll(() => database?.drop());

  it('when run with batches smaller than the counts, then the store holds the dataset: the same posts, users and tag counts as every other store', async () => {
    const run = await seed('--users', '5', '--posts', '50', '--batch', '8', '--database-url', database.url);

    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(finalLine) });
    await withStore(database.url, async (store) => {
      expect(await store.posts.count({})).toBe(50);
      expect(await storedPosts(store)).toEqual(expectedPosts(5, 50));
      const users = (await store.users.find({ limit: 1_000 })).items.map(({ email, username, displayName }) => ({ email, username, displayName }));
      expect(users).toEqual(Array.from({ length: 5 }, (_, n) => seededProfile(n)));
      expect((await store.tags.find({ limit: 500 })).items).toEqual(expectedTags(expectedPosts(5, 50)));
      const credentials = await store.users.findCredentials(seededEmail(0));
      expect(await new PasswordHasher(10).verify(seededPassword, credentials!.passwordHash)).toBe(true);
    });
  }, 60_000);
});

/** The tags the posts carry, most used first, then by name in code-point order, as GET /tags lists them. */
function expectedTags(posts: DatasetPost[]): { name: string; postCount: number }[] {
  const counts = new Map<string, number>();
  for (const post of posts) for (const tag of post.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts]
    .map(([tagName, postCount]) => ({ name: tagName, postCount }))
    .sort((a, b) => b.postCount - a.postCount || compareCodePoints(a.name, b.name));
}
