import { MongoClient } from 'mongodb';
import type { DataSource } from 'typeorm';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { StoreOpenError, openStore } from '../../src/stores/open-store';
import { type SqlDialect, dialectOf } from '../../src/stores/typeorm/dialect';
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
    const ada = await http.signUp({ email: 'ada@example.com', username: 'ada', bio: 'Wrote the first published program 🖋', image: 'https://example.com/ada.png' });
    const post = (await http.post('/posts', { title: 'Notes', content: 'On the Engine', publicationDate: '1843-09-01T00:00:00Z' }, ada.token)).body;
    const schema = await schemaOf(context.store);

    await reopen();

    expect(await schemaOf(context.store)).toEqual(schema);
    expect((await http.get('/users/me', ada.token)).body).toEqual(ada.user);
    expect(ada.user).toMatchObject({ bio: 'Wrote the first published program 🖋', image: 'https://example.com/ada.png' });
    expect((await http.get(`/users/${ada.user.id}`)).body).toEqual(publicView(ada.user));
    expect((await http.get(`/posts/${post.id}`)).body).toEqual(post);
    expect((await http.post('/posts', { title: 'More', content: 'After the restart' }, ada.token)).status).toBe(201);
    expect((await http.get(`/users/${ada.user.id}/posts?count=true`)).body.total).toBe(2);
    const taken = await http.post('/users', { email: 'ADA@example.com', username: 'ada2', displayName: 'Not Ada', password: 'another long password' });
    expect(taken.status).toBe(409);
    const grace = await http.signUp({ email: 'grace@example.com', username: 'grace' });
    expect(grace.user).toMatchObject({ bio: '', image: null });
    expect((await http.get('/users')).body.items.map((user: { id: string }) => user.id)).toEqual([ada.user.id, grace.user.id]);

    await reopen();
    expect(await schemaOf(context.store)).toEqual(schema);
    expect((await http.get('/posts?count=true')).body.total).toBe(2);
  });

  // The comparison above is only as good as what schemaOf reports: a change made at start must show in it.
  it('when a column or an index is altered behind the service, then the schema as the store reports it shows each change', async () => {
    await open();
    const before = await schemaOf(context.store);

    if (context.store instanceof TypeOrmStore) {
      const { dataSource } = context.store;
      const dialect = dialectOf(dataSource.options);
      await alterColumn(dataSource, dialect);
      const columnAltered = await schemaOf(context.store);
      expect(columnAltered).not.toEqual(before);

      await dataSource.query(dialect === 'mysql' ? 'DROP INDEX IDX_posts_created ON posts' : 'DROP INDEX IDX_posts_created');
      await dataSource.query('CREATE INDEX IDX_posts_created ON posts (created_at)');
      expect(await schemaOf(context.store)).not.toEqual(columnAltered);
    } else {
      const posts = (context.store as MongoStore).db.collection('posts');
      const [created] = (await posts.listIndexes().toArray()).filter((index) => index.name === 'created');
      expect(created).toBeDefined();
      await posts.dropIndex('created');
      await posts.createIndex({ createdAt: -1 }, { name: 'created' });
      expect(await schemaOf(context.store)).not.toEqual(before);
    }
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

/** A column's collation changes (SQLite, which cannot alter a column in place: a column is added). */
async function alterColumn(dataSource: DataSource, dialect: SqlDialect): Promise<void> {
  switch (dialect) {
    case 'sqlite':
      await dataSource.query('ALTER TABLE users ADD COLUMN nickname text');
      return;
    case 'postgres':
      await dataSource.query('ALTER TABLE users ALTER COLUMN display_name TYPE varchar(100) COLLATE "C"');
      return;
    case 'mysql': {
      const [{ COLLATION_NAME: current }] = await dataSource.query(
        "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'display_name'",
      );
      const other = current === 'utf8mb4_bin' ? 'utf8mb4_unicode_ci' : 'utf8mb4_bin';
      await dataSource.query(`ALTER TABLE users MODIFY display_name varchar(100) CHARACTER SET utf8mb4 COLLATE ${other} NOT NULL`);
      return;
    }
  }
}

/**
 * What a start could change besides data, as the store itself reports it: the applied migrations, and every
 * table, column (type, collation, default, nullability), index and constraint; on MongoDB every collection
 * with its options and every index with all its fields.
 */
async function schemaOf(store: Store): Promise<unknown> {
  if (store instanceof TypeOrmStore) {
    const { dataSource } = store;
    const migrations: { name: string }[] = await dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(migrations.length).toBeGreaterThan(0);
    const tables = await sqlSchemaOf(dataSource, dialectOf(dataSource.options));
    return { migrations: migrations.map((migration) => migration.name), tables };
  }
  const { db } = store as MongoStore;
  const collections = (await db.listCollections({}, { nameOnly: false }).toArray()).map(({ name, type, options }) => ({ name, type, options })).sort(byName);
  expect(collections.map(({ name }) => name)).toEqual(expect.arrayContaining(['users', 'posts', 'sessions']));
  const indexes: Record<string, unknown> = {};
  for (const { name } of collections) indexes[name] = (await db.collection(name).listIndexes().toArray()).sort(byName);
  return { collections, indexes };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function sqlSchemaOf(dataSource: DataSource, dialect: SqlDialect): Promise<unknown> {
  const query = (sql: string, parameters?: unknown[]) => dataSource.query(sql, parameters) as Promise<Record<string, unknown>[]>;
  switch (dialect) {
    case 'sqlite': {
      const objects = await query("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name");
      const tables: Record<string, unknown> = {};
      for (const { name } of objects.filter(({ type }) => type === 'table')) {
        const indexes = await query(`PRAGMA index_list("${name}")`);
        const indexColumns: Record<string, unknown> = {};
        for (const index of indexes) indexColumns[index.name as string] = await query(`PRAGMA index_xinfo("${index.name}")`);
        tables[name as string] = { columns: await query(`PRAGMA table_info("${name}")`), indexes, indexColumns };
      }
      return { objects, tables };
    }
    case 'postgres':
      return {
        columns: await query(
          `SELECT table_name, column_name, ordinal_position, data_type, udt_name, character_maximum_length, numeric_precision,
                  datetime_precision, collation_name, column_default, is_nullable, is_identity, is_generated
             FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
        ),
        indexes: await query('SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY tablename, indexname'),
        constraints: await query(
          `SELECT conrelid::regclass::text AS table_name, conname, contype, pg_get_constraintdef(oid) AS definition
             FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2`,
        ),
      };
    case 'mysql': {
      const tables = await query('SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME');
      const created: Record<string, string> = {};
      for (const { TABLE_NAME: name } of tables) {
        const [row] = await query(`SHOW CREATE TABLE \`${name}\``);
        // The next AUTO_INCREMENT value is data: it moves with every insert.
        created[name as string] = String(row['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
      }
      return {
        tables,
        columns: await query(
          `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_DEFAULT, IS_NULLABLE, EXTRA
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        ),
        indexes: await query(
          `SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, COLLATION, INDEX_TYPE
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
        ),
        constraints: await query(
          `SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS
            WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME`,
        ),
        created,
      };
    }
  }
}
