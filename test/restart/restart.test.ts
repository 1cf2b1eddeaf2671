import { MongoClient } from 'mongodb';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { StoreOpenError, openStore } from '../../src/stores/open-store';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { api, publicView } from '../support/api';
import type { StoreContext } from '../support/each-store';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';

/**
 * The service starts on a database it has written before: every store, its
 * data and its schema (SQL migrations, MongoDB indexes) already there.
 */
describe.each(enabledStores())('%s: restart on existing data', (name) => {
  const context = { name } as StoreContext;
  const http = api(context);
  const open = async () => {
    context.store = await openStore(databaseConfig(context.database.url));
  };
  const reopen = async () => {
    await context.store.close();
    await open();
  };

  beforeEach(async () => {
    context.database = await createTestDatabase(name);
  });
  afterEach(async () => {
    await context.store?.close();
    await context.database?.drop();
  });

  it('when the store is opened again on what it wrote, then users, posts and tokens read back unchanged, the schema is untouched and writes go on', async () => {
    await open();
    const ada = await http.signUp({ email: 'ada@example.com', username: 'ada' });
    const post = (await http.post('/posts', { title: 'Notes', content: 'On the Engine', publicationDate: '1843-09-01T00:00:00Z' }, ada.token)).body;
    const schema = await schemaOf(context.store);

    await reopen();

    expect(await schemaOf(context.store)).toEqual(schema);
    expect((await http.get('/users/me', ada.token)).body).toEqual(ada.user);
    expect((await http.get(`/users/${ada.user.id}`)).body).toEqual(publicView(ada.user));
    expect((await http.get(`/posts/${post.id}`)).body).toEqual(post);
    expect((await http.post('/posts', { title: 'More', content: 'After the restart' }, ada.token)).status).toBe(201);
    expect((await http.get(`/users/${ada.user.id}/posts?count=true`)).body.total).toBe(2);
    const taken = await http.post('/users', { email: 'ADA@example.com', username: 'ada2', displayName: 'Not Ada', password: 'another long password' });
    expect(taken.status).toBe(409);
    const grace = await http.signUp({ email: 'grace@example.com', username: 'grace' });
    expect((await http.get('/users')).body.items.map((user: { id: string }) => user.id)).toEqual([ada.user.id, grace.user.id]);

    await reopen();
    expect(await schemaOf(context.store)).toEqual(schema);
    expect((await http.get('/posts?count=true')).body.total).toBe(2);
  });

  if (name === 'mongodb') {
    it('when an index the service needs was dropped, then opening the store creates it again and leaves the others', async () => {
      await open();
      const schema = await schemaOf(context.store);
      await (context.store as MongoStore).db.collection('posts').dropIndex('newest_first');

      await reopen();

      expect(await schemaOf(context.store)).toEqual(schema);
    });

    it.each([
      [
        'another key',
        { key: { email: 1 }, name: 'email_key_unique', unique: true },
        'collection users: index email_key_unique differs from the one required: key {"email":1} instead of {"emailKey":1}',
      ],
      [
        'no uniqueness',
        { key: { usernameKey: 1 }, name: 'username_key_unique' },
        'collection users: index username_key_unique differs from the one required: not unique',
      ],
      [
        'another key and no uniqueness',
        { key: { usernameKey: -1 }, name: 'username_key_unique' },
        'collection users: index username_key_unique differs from the one required: key {"usernameKey":-1} instead of {"usernameKey":1}, not unique',
      ],
      [
        'the key of a needed index under another name',
        { key: { emailKey: 1 }, name: 'by_email', unique: true },
        'collection users: index by_email has the key {"emailKey":1} that index email_key_unique requires',
      ],
    ])('when a users index has %s, then opening fails with one line naming the collection, the index and the difference, and no index changes', async (_case, index, problem) => {
      const client = await MongoClient.connect(context.database.url);
      try {
        const users = client.db().collection('users');
        await users.createIndexes([index]);
        const indexes = await users.listIndexes().toArray();

        const failure = await openStore(databaseConfig(context.database.url)).then(
          (store) => store.close().then(() => 'the store opened'),
          (error: unknown) => error,
        );

        expect(failure).toBeInstanceOf(StoreOpenError);
        const { message } = failure as StoreOpenError;
        expect(message).not.toContain('\n');
        expect(message).toMatch(/^cannot open mongodb store at 127\.0\.0\.1:\d+\/dualstore_test_\w+: /);
        expect(message.endsWith(`: ${problem}`)).toBe(true);
        expect(await users.listIndexes().toArray()).toEqual(indexes);
        expect(await client.db().listCollections().toArray()).toEqual([expect.objectContaining({ name: 'users' })]);
      } finally {
        await client.close();
      }
    });
  }
});

/** What a start could change besides data: applied migrations, or collections and their indexes. */
async function schemaOf(store: Store): Promise<unknown> {
  if (store instanceof TypeOrmStore) {
    const migrations: { name: string }[] = await store.dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(migrations.length).toBeGreaterThan(0);
    return migrations.map((migration) => migration.name);
  }
  const { db } = store as MongoStore;
  const names = (await db.listCollections().toArray()).map((collection) => collection.name).sort();
  expect(names).toEqual(expect.arrayContaining(['users', 'posts', 'sessions']));
  const indexes: Record<string, unknown> = {};
  for (const collection of names) {
    const found = await db.collection(collection).listIndexes().toArray();
    indexes[collection] = found.map(({ name, key, unique }) => ({ name, key, unique: unique === true })).sort((a, b) => a.name.localeCompare(b.name));
  }
  return indexes;
}
