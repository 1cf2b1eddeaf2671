import { type Db, MongoClient } from 'mongodb';
import type { DatabaseConfig } from '../../config';
import type { Store } from '../../domain/repositories';
import { collections, ensureIndexes } from './collections';
import { MongoPostRepository } from './mongo-post-repository';
import { MongoSessionRepository } from './mongo-session-repository';
import { MongoUserRepository } from './mongo-user-repository';

const defaultDatabaseName = 'dualstore';

export class MongoStore implements Store {
  readonly users: MongoUserRepository;
  readonly posts: MongoPostRepository;
  readonly sessions: MongoSessionRepository;

  constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    const all = collections(db);
    this.users = new MongoUserRepository(all);
    this.posts = new MongoPostRepository(all);
    this.sessions = new MongoSessionRepository(all);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Connects and ensures the indexes. The database is the URL's path, `dualstore` when it has none. */
export async function openMongoStore(database: DatabaseConfig): Promise<MongoStore> {
  const client = new MongoClient(database.url, {
    serverSelectionTimeoutMS: database.connectTimeoutMs,
    connectTimeoutMS: database.connectTimeoutMs,
  });
  await client.connect();
  try {
    const path = /^[^:]+:\/\/[^/]*\/([^?]*)/.exec(database.url)?.[1];
    const db = client.db(path ? decodeURIComponent(path) : defaultDatabaseName);
    await ensureIndexes(collections(db));
    return new MongoStore(client, db);
  } catch (error) {
    await client.close();
    throw error;
  }
}
