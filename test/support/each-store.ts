import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { openStore } from '../../src/stores/open-store';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { type StoreName, type TestDatabase, createTestDatabase, enabledStores } from './stores';

export interface StoreContext {
  readonly name: StoreName;
  /** Open for the whole describe block, emptied before each test. */
  store: Store;
  database: TestDatabase;
}

/**
 * Runs `suite` once per provisioned store, on a fresh database of its own,
 * under a title that starts with the store's name (store-reporter.cjs reads it).
 * With `captureOperations`, the store records each request's operations (src/stores/capture.ts).
 */
export function describeEachStore(title: string, suite: (context: StoreContext) => void, { captureOperations = false } = {}): void {
  describe.each(enabledStores())(`%s: ${title}`, (name) => {
    const context = { name } as StoreContext;

    beforeAll(async () => {
      context.database = await createTestDatabase(name);
      context.store = await openStore({ ...databaseConfig(context.database.url), captureOperations });
    });
    beforeEach(() => clearStore(context.store));
    afterAll(async () => {
      await context.store?.close();
      await context.database?.drop();
    });

    suite(context);
  });
}

async function clearStore(store: Store): Promise<void> {
  if (store instanceof TypeOrmStore) {
    // Users last: the others reference them.
    await store.dataSource.query('DELETE FROM copy_progress');
    await store.dataSource.query('DELETE FROM moved_ids');
    await store.dataSource.query('DELETE FROM idempotency_keys');
    await store.dataSource.query('DELETE FROM follows');
    await store.dataSource.query('DELETE FROM favorites');
    await store.dataSource.query('DELETE FROM sessions');
    await store.dataSource.query('DELETE FROM comments');
    await store.dataSource.query('DELETE FROM post_tags');
    await store.dataSource.query('DELETE FROM tags');
    await store.dataSource.query('DELETE FROM posts');
    await store.dataSource.query('DELETE FROM users');
  } else if (store instanceof MongoStore) {
    await store.db.collection('copy_progress').deleteMany({});
    await store.db.collection('moved_ids').deleteMany({});
    await store.db.collection('follows').deleteMany({});
    await store.db.collection('favorites').deleteMany({});
    await store.db.collection('idempotency_keys').deleteMany({});
    await store.db.collection('sessions').deleteMany({});
    await store.db.collection('comments').deleteMany({});
    await store.db.collection('posts').deleteMany({});
    await store.db.collection('users').deleteMany({});
  } else {
    throw new Error('unknown store type');
  }
}
