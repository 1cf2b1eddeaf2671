import { type Db, MongoClient } from 'mongodb';
import { type DatabaseConfig, SchemaBehindError, settings } from '../../config';
import type { Store } from '../../domain/repositories';
import { captureCommands } from './captured-commands';
import { type ReadBudget, collections, ensureIndexes, missingIndexes } from './collections';
import { type DocumentWrites, processQueuedWrites, storeIsolatedWrites } from './document-writes';
import { applyMigrations, pendingMigrations } from './migrations';
import { MongoCommentRepository } from './mongo-comment-repository';
import { MongoFavoriteRepository } from './mongo-favorite-repository';
import { MongoFollowRepository } from './mongo-follow-repository';
import { MongoIdempotencyKeyRepository } from './mongo-idempotency-key-repository';
import { MongoPostRepository } from './mongo-post-repository';
import { MongoSessionRepository } from './mongo-session-repository';
import { MongoTagRepository } from './mongo-tag-repository';
import { MongoTransferRepository } from './mongo-transfer-repository';
import { MongoUserRepository } from './mongo-user-repository';
import { commentNumbers, postSlugNumbers } from './sequences';

const defaultDatabaseName = 'dualstore';

export class MongoStore implements Store {
  readonly users: MongoUserRepository;
  readonly posts: MongoPostRepository;
  readonly tags: MongoTagRepository;
  readonly comments: MongoCommentRepository;
  readonly sessions: MongoSessionRepository;
  readonly follows: MongoFollowRepository;
  readonly favorites: MongoFavoriteRepository;
  readonly idempotencyKeys: MongoIdempotencyKeyRepository;
  readonly transfer: MongoTransferRepository;

  readonly warnings: readonly string[];
  readonly kind = 'mongodb';

  constructor(
    private readonly client: MongoClient,
    readonly db: Db,
    /** How writes to one document are isolated: by the store, or only within this process (FerretDB). */
    readonly writes: DocumentWrites = storeIsolatedWrites,
    budget: ReadBudget = { maxTimeMS: Number(settings.STATEMENT_TIMEOUT_MS) },
  ) {
    const all = collections(db);
    // One of each sequence per store: a copy's finish moves it past the numbers it kept (MongoTransferRepository).
    const numbering = { posts: postSlugNumbers(all), comments: commentNumbers(all) };
    this.users = new MongoUserRepository(all, writes, budget);
    this.follows = new MongoFollowRepository(all, budget);
    this.posts = new MongoPostRepository(all, writes, budget, this.follows, numbering.posts);
    this.tags = new MongoTagRepository(all, budget);
    this.comments = new MongoCommentRepository(all, budget, numbering.comments);
    this.sessions = new MongoSessionRepository(all, budget);
    this.favorites = new MongoFavoriteRepository(all, writes, budget);
    this.idempotencyKeys = new MongoIdempotencyKeyRepository(all);
    this.transfer = new MongoTransferRepository(all, numbering);
    this.warnings =
      writes.isolation === 'process'
        ? ['FerretDB does not isolate concurrent updates of one document: this process queues its own, but several instances on one FerretDB can lose updates']
        : [];
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * Connects and ensures the indexes and the document migrations, free of the statement budget (an index built
 * over every document may rightly take longer than any request), then connects again to serve. The database is
 * the URL's path, `dualstore` when it has none.
 */
export async function openMongoStore(database: DatabaseConfig): Promise<MongoStore> {
  const path = /^[^:]+:\/\/[^/]*\/([^?]*)/.exec(database.url)?.[1];
  const name = path ? decodeURIComponent(path) : defaultDatabaseName;
  const timeouts = { serverSelectionTimeoutMS: database.connectTimeoutMs, connectTimeoutMS: database.connectTimeoutMs };
  const migrating = new MongoClient(database.url, timeouts);
  let writes: DocumentWrites;
  try {
    await migrating.connect();
    const db = migrating.db(name);
    await checkSchema(db, database.schema ?? 'migrate');
    await ensureIndexes(collections(db));
    await applyMigrations(db);
    writes = (await isFerretDb(db)) ? processQueuedWrites() : storeIsolatedWrites;
  } finally {
    await migrating.close();
  }
  const client = new MongoClient(database.url, {
    ...timeouts,
    // A server that stops answering (a hung server, a network that drops packets without a reset) would hold
    // an operation, and every write queued behind it, for ever: the connection is given up, and the request
    // answered 503, once an answer is this late. The server ends a read at its maxTimeMS first.
    socketTimeoutMS: database.statementTimeoutMs + database.connectTimeoutMs,
    // Only when operations are captured: monitoring makes the driver build an event per command. Otherwise the
    // URL's own `monitorCommands` holds (an option given here, even false, would override it).
    ...(database.captureOperations === true && { monitorCommands: true }),
  });
  if (database.captureOperations) captureCommands(client);
  try {
    await client.connect();
  } catch (error) {
    await client.close();
    throw error;
  }
  return new MongoStore(client, client.db(name), writes, { maxTimeMS: database.statementTimeoutMs });
}

/**
 * Unless `mode` is `migrate`, refuses a database that lacks an index or a document migration, but for a new
 * one (no collection at all) under `migrate-new`.
 */
async function checkSchema(db: Db, mode: NonNullable<DatabaseConfig['schema']>): Promise<void> {
  if (mode === 'migrate') return;
  const pending = [...(await missingIndexes(collections(db))).map((index) => `index ${index}`), ...(await pendingMigrations(db)).map((id) => `migration ${id}`)];
  if (pending.length === 0) return;
  const isNew = (await db.listCollections({}, { nameOnly: true }).toArray()).length === 0;
  if (mode === 'check' || !isNew) throw new SchemaBehindError(`${pending.length} missing, the first ${pending[0]}`);
}

/** FerretDB answers buildInfo with fields of its own; real MongoDB has none of them. */
async function isFerretDb(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info || 'ferretdbFeatures' in info;
}
