import { databaseConfig } from '../../src/config';
import type { PostSort } from '../../src/domain/listing';
import { openStore } from '../../src/stores/open-store';
import type { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { sqliteConnection } from '../../src/stores/typeorm/sqlite-statements';
import { aPost, aUser } from '../support/factories';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';

const newest: PostSort = { field: 'publicationDate', direction: 'desc' };

/**
 * On a SQLite file, lists and counts are read by a connection of their own, on
 * a thread of its own (SqliteReader): what shows it without a clock is that
 * such a connection sees only committed writes, while the main connection
 * sees its own open transaction.
 */
describe.each(enabledStores().filter((name) => name === 'sqlite'))('%s: list reads on a thread of their own', () => {
  let database: TestDatabase;
  let store: TypeOrmStore;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    store = (await openStore(databaseConfig(database.url))) as TypeOrmStore;
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('when the main connection holds an uncommitted post, then lists, searches and counts do not see it, and a post read by id does', async () => {
    const authorId = (await store.users.create(aUser())).id;
    const committed = await store.posts.create(aPost(authorId, { title: 'committed needle' }));
    const connection = sqliteConnection(store.dataSource);
    connection.prepare('BEGIN').run();
    try {
      connection.prepare("INSERT INTO posts (author_id, title, content, title_key, content_key, publication_date, created_at, updated_at, version) VALUES (?, 'open needle', 'c', 'open needle', 'c', '2030-01-01 00:00:00.000', '2030-01-01 00:00:00.000', '2030-01-01 00:00:00.000', 1)").run(Number(authorId));
      const open = connection.prepare('SELECT last_insert_rowid() AS id').all()[0] as { id: number };
      expect(await store.posts.findById(String(open.id))).toMatchObject({ title: 'open needle' });
      expect((await store.posts.find({ sort: newest, filter: {}, limit: 10 })).items.map((post) => post.id)).toEqual([committed.id]);
      expect((await store.posts.find({ sort: newest, filter: { q: 'needle' }, limit: 10 })).items.map((post) => post.id)).toEqual([committed.id]);
      expect(await store.posts.count({})).toBe(1);
    } finally {
      connection.prepare('ROLLBACK').run();
    }
  });

  it('when the database is in memory, then lists are read on the main thread, which alone can see it', async () => {
    const memory = await openStore(databaseConfig('sqlite::memory:'));
    try {
      const authorId = (await memory.users.create(aUser())).id;
      const post = await memory.posts.create(aPost(authorId, { title: 'in memory' }));
      expect((await memory.posts.find({ sort: newest, filter: { q: 'MEMORY' }, limit: 10 })).items.map(({ id }) => id)).toEqual([post.id]);
      expect(await memory.posts.count({})).toBe(1);
    } finally {
      await memory.close();
    }
  });

  it('when the store is closed, then a list read is refused, not left waiting', async () => {
    const other = (await openStore(databaseConfig(database.url))) as TypeOrmStore;
    await other.posts.find({ sort: newest, filter: {}, limit: 1 });
    await other.close();
    await expect(other.posts.find({ sort: newest, filter: {}, limit: 1 })).rejects.toThrow();
  });
});
