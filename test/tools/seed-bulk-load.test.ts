import { readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { databaseConfig, sqlitePath } from '../../src/config';
import { InvalidReferenceError } from '../../src/domain/errors';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';
import { TypeOrmBulkLoad } from '../../src/stores/typeorm/bulk-load';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { seededPost } from '../../tools/seed/dataset';
import { seedStore } from '../../tools/seed/seed';
import { sqlSchemaOf } from '../support/sql-schema';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';

// The seeded users' one password is hashed at the lowest cost the service allows: its strength is not under test.
process.env.PASSWORD_HASH_COST = '10';

/** Small enough for a test, in several batches, so that batches are written while the next is made. */
const counts = { users: 50, posts: 2_000 };
const batch = 300;

const sqlStores = enabledStores().filter((name) => name !== 'mongodb');
const mongoStores = enabledStores().filter((name) => name === 'mongodb');

async function withStore<T>(url: string, read: (store: Store, dataSource: DataSource) => Promise<T>): Promise<T> {
  const store = await openStore(databaseConfig(url));
  try {
    return await read(store, (store as TypeOrmStore).dataSource);
  } finally {
    await store.close();
  }
}

const schemaOf = (url: string) => withStore(url, (_store, dataSource) => sqlSchemaOf(dataSource));

/**
 * Every user, post, tag and link of a database, ids replaced by what they
 * name (an author by email, a tag by name), in an order that does not depend
 * on them. Stored values are kept as the driver reads them (SQLite's dates are
 * the text stored); creation times, which are each write's own clock, only
 * by their form, and whether each equals its update time.
 */
async function storedRows(dataSource: DataSource): Promise<unknown> {
  const query = (sql: string) => dataSource.query(sql) as Promise<Record<string, unknown>[]>;
  const exact = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
  const form = (value: unknown) => (value instanceof Date ? 'instant' : String(value).replace(/\d/g, '0'));
  const sorted = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).sort();

  const users = await query('SELECT * FROM users');
  const emails = new Map(users.map(({ id, email }) => [Number(id), email]));
  const tags = await query('SELECT * FROM tags');
  const tagNames = new Map(tags.map(({ id, name }) => [Number(id), name as string]));
  const tagsOfPost = new Map<number, string[]>();
  for (const { post_id, tag_id } of await query('SELECT * FROM post_tags')) {
    tagsOfPost.set(Number(post_id), [...(tagsOfPost.get(Number(post_id)) ?? []), tagNames.get(Number(tag_id))!]);
  }
  const posts = await query('SELECT * FROM posts');
  return {
    users: sorted(
      users.map(({ id, created_at, updated_at, password_hash, ...user }) => ({
        ...user,
        hashed: typeof password_hash === 'string' && password_hash.length > 0,
        created: form(created_at),
        updatedWhenCreated: exact(created_at) === exact(updated_at),
      })),
    ),
    tags: sorted(tags.map(({ name }) => name)),
    posts: sorted(
      posts.map(({ id, author_id, created_at, updated_at, publication_date, ...post }) => ({
        ...post,
        author: emails.get(Number(author_id)),
        publicationDate: exact(publication_date),
        created: form(created_at),
        updatedWhenCreated: exact(created_at) === exact(updated_at),
        tags: (tagsOfPost.get(Number(id)) ?? []).sort(),
      })),
    ),
  };
}

describe.each(sqlStores)('%s: seeding an empty database by bulk load', (name) => {
  /** Seeded by bulk load, seeded through the port, and only migrated. */
  let bulk: TestDatabase;
  let port: TestDatabase;
  let migrated: TestDatabase;

  beforeAll(async () => {
    [bulk, port, migrated] = await Promise.all([createTestDatabase(name), createTestDatabase(name), createTestDatabase(name)]);
    expect((await seedStore(bulk.url, counts, undefined, { batch })).mode).toBe('bulk load');
    expect((await seedStore(port.url, counts, undefined, { batch, bulkLoad: false })).mode).toBe('port');
    await withStore(migrated.url, async () => {});
  }, 120_000);
  afterAll(() => Promise.all([bulk, port, migrated].map((database) => database?.drop())));

  it(`when seeded by bulk load, then its schema is the migrated one: every table, column, index and constraint (${name})`, async () => {
    const expected = await schemaOf(migrated.url);

    expect(await schemaOf(bulk.url)).toEqual(expected);
    expect(await schemaOf(port.url)).toEqual(expected);
  });

  it(`when seeded by bulk load, then it holds what createMany through the port stores: users, posts with their keys, dates and versions, tags and links (${name})`, async () => {
    const loaded = (await withStore(bulk.url, (_store, dataSource) => storedRows(dataSource))) as { posts: string[]; tags: string[] };
    const written = await withStore(port.url, (_store, dataSource) => storedRows(dataSource));

    expect(loaded.posts).toHaveLength(counts.posts);
    expect(loaded.tags.length).toBeGreaterThan(100);
    expect(loaded).toEqual(written);
  });

  it(`when seeded by bulk load, then the service goes on: a new post is numbered after the loaded ones, and deleting an author takes their posts and links (${name})`, async () => {
    await withStore(bulk.url, async (store, dataSource) => {
      const [{ last }] = await dataSource.query('SELECT MAX(id) AS last FROM posts');
      const { items: users } = await store.users.find({ limit: 1 });
      const authored = await store.posts.count({ authorId: users[0].id });
      expect(authored).toBeGreaterThan(0);

      const created = await store.posts.create({ authorId: users[0].id, title: 'After the load', content: 'More', tags: ['databases', 'new-after-load'] });
      expect(Number(created.id)).toBeGreaterThan(Number(last));
      await store.users.delete(users[0].id);

      expect(await store.posts.count({})).toBe(counts.posts - authored);
      const [{ orphans }] = await dataSource.query('SELECT COUNT(*) AS orphans FROM post_tags WHERE post_id NOT IN (SELECT id FROM posts)');
      expect(Number(orphans)).toBe(0);
    });
  });

  it(`when the database holds a user already, then the seeder writes through the port (${name})`, async () => {
    const database = await createTestDatabase(name);
    try {
      await withStore(database.url, (store) => store.users.create({ email: 'ada@example.com', username: 'ada', displayName: 'Ada', passwordHash: 'x' }));

      const seeded = await seedStore(database.url, { users: 2, posts: 10 });

      expect(seeded.mode).toBe('port');
      expect(await withStore(database.url, (store) => store.posts.count({}))).toBe(10);
    } finally {
      await database.drop();
    }
  });

  it(`when a post names no user, then the load fails with InvalidReferenceError and leaves no post, no tag and the migrated schema (${name})`, async () => {
    const database = await createTestDatabase(name);
    try {
      const authorId = await withStore(database.url, async (store) => (await store.users.create({ email: 'ada@example.com', username: 'ada', displayName: 'Ada', passwordHash: 'x' })).id);
      const post = (i: number, author: string) => ({ ...seededPost(i, 1), authorId: author });
      const load = (await TypeOrmBulkLoad.open(databaseConfig(database.url)))!;
      let failure: unknown;
      try {
        await load.posts([post(0, authorId), post(1, authorId)]);
        await load.posts([post(2, '999999')]);
        await load.finish();
      } catch (error) {
        failure = error;
      } finally {
        await load.close();
      }

      expect(failure).toBeInstanceOf(InvalidReferenceError);
      expect(await schemaOf(database.url)).toEqual(await schemaOf(migrated.url));
      await withStore(database.url, async (store, dataSource) => {
        expect(await store.posts.count({})).toBe(0);
        expect(await dataSource.query('SELECT * FROM tags')).toEqual([]);
      });
    } finally {
      await database.drop();
    }
  });

  it(`when texts carry quotes, backslashes, tabs and line breaks, then they are stored as written, keys included (${name})`, async () => {
    const database = await createTestDatabase(name);
    try {
      const authorId = await withStore(database.url, async (store) => (await store.users.create({ email: 'ada@example.com', username: 'ada', displayName: 'Ada', passwordHash: 'x' })).id);
      const texts = ['"quoted", \'single\'', 'back\\slash \\N \\t', 'tab\there\r\nand CRLF', 'line\n\nbreaks\n', ',;"\t\\'];
      const load = (await TypeOrmBulkLoad.open(databaseConfig(database.url)))!;
      await load.posts(texts.map((text, i) => ({ authorId, title: `${text} ${i}`, content: text.toUpperCase(), tags: [`tag "${i}"`, 'a\\b'] })));
      await load.finish();

      await withStore(database.url, async (store, dataSource) => {
        const { items } = await store.posts.find({ sort: { field: 'title', direction: 'asc' }, filter: {}, limit: 10 });
        expect(items.map(({ title, content, tags }) => ({ title, content, tags }))).toEqual(
          texts.map((text, i) => ({ title: `${text} ${i}`, content: text.toUpperCase(), tags: [`a\\b`, `tag "${i}"`].sort() })).sort((a, b) => (a.title < b.title ? -1 : 1)),
        );
        const keys = (await dataSource.query('SELECT title_key, content_key FROM posts')) as { title_key: string; content_key: string }[];
        expect(keys.map(({ content_key }) => content_key).sort()).toEqual(texts.map((text) => text.toLowerCase()).sort());
      });
    } finally {
      await database.drop();
    }
  });

  it(`when the database holds posts, then a bulk load refuses to start and changes nothing (${name})`, async () => {
    const before = await schemaOf(port.url);
    const [author] = (await withStore(port.url, (store) => store.users.find({ limit: 1 }))).items;
    const load = (await TypeOrmBulkLoad.open(databaseConfig(port.url)))!;

    await expect(load.posts([{ ...seededPost(0, 1), authorId: author.id }])).rejects.toThrow('a bulk load needs a database without posts or tags');
    await load.close();

    expect(await schemaOf(port.url)).toEqual(before);
    expect(await withStore(port.url, (store) => store.posts.count({}))).toBe(counts.posts);
  });
});

describe('sqlite: the journal of a bulk-loaded file', () => {
  it('when seeded by bulk load, which leaves WAL mode for its transaction, then the file is in WAL mode again, as migrated (sqlite)', async () => {
    const [loaded, migrated] = await Promise.all([createTestDatabase('sqlite'), createTestDatabase('sqlite')]);
    try {
      await withStore(migrated.url, async () => {});
      expect((await seedStore(loaded.url, { users: 5, posts: 50 })).mode).toBe('bulk load');

      // Bytes 18 and 19 of the header, the file format's write and read versions: 2 in WAL mode, 1 in the others.
      const versions = (url: string) => [...readFileSync(sqlitePath(url)).subarray(18, 20)];
      expect(versions(migrated.url)).toEqual([2, 2]);
      expect(versions(loaded.url)).toEqual([2, 2]);
    } finally {
      await Promise.all([loaded.drop(), migrated.drop()]);
    }
  });
});

describe('sqlite: seeding a database in memory', () => {
  it('when the database is in memory, then the seeder writes through the port: a load would open another, empty database (sqlite)', async () => {
    expect(await TypeOrmBulkLoad.open(databaseConfig('sqlite::memory:'))).toBeNull();
    expect((await seedStore('sqlite::memory:', { users: 2, posts: 10 })).mode).toBe('port');
  });
});

describe.each(mongoStores)('%s: seeding without a bulk load', (name) => {
  it(`when seeding an empty database, then the posts go through the port (${name})`, async () => {
    const database = await createTestDatabase(name);
    try {
      const seeded = await seedStore(database.url, { users: 2, posts: 10 });

      expect(seeded.mode).toBe('port');
      expect(await withStore(database.url, (store) => store.posts.count({}))).toBe(10);
    } finally {
      await database.drop();
    }
  });
});
