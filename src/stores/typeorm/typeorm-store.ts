import { type DataSource, MigrationExecutor } from 'typeorm';
import { type DatabaseConfig, SchemaBehindError } from '../../config';
import type { Store } from '../../domain/repositories';
import { insertCanReturn } from './bulk-inserts';
import { captureStatements } from './captured-statements';
import { createDataSource, sqlDialect } from './data-source';
import { type SqlDialect, dialectOf } from './dialect';
import { type Entities, entities } from './entities';
import { waitForLocksOnTimers } from './sqlite-statements';
import { TypeOrmCommentRepository } from './typeorm-comment-repository';
import { TypeOrmFavoriteRepository } from './typeorm-favorite-repository';
import { TypeOrmFollowRepository } from './typeorm-follow-repository';
import { TypeOrmIdempotencyKeyRepository } from './typeorm-idempotency-key-repository';
import { TypeOrmPostRepository } from './typeorm-post-repository';
import { TypeOrmSessionRepository } from './typeorm-session-repository';
import { TypeOrmTagRepository } from './typeorm-tag-repository';
import { TypeOrmTransferRepository } from './typeorm-transfer-repository';
import { TypeOrmUserRepository } from './typeorm-user-repository';

export class TypeOrmStore implements Store {
  readonly users: TypeOrmUserRepository;
  readonly posts: TypeOrmPostRepository;
  readonly tags: TypeOrmTagRepository;
  readonly comments: TypeOrmCommentRepository;
  readonly sessions: TypeOrmSessionRepository;
  readonly follows: TypeOrmFollowRepository;
  readonly favorites: TypeOrmFavoriteRepository;
  readonly idempotencyKeys: TypeOrmIdempotencyKeyRepository;
  readonly transfer: TypeOrmTransferRepository;
  readonly warnings: readonly string[] = [];
  readonly kind: SqlDialect;

  constructor(
    readonly dataSource: DataSource,
    schemas: Entities,
    /** Whether INSERT … RETURNING works here (see insertCanReturn). */
    insertReturning: boolean,
  ) {
    this.users = new TypeOrmUserRepository(dataSource, schemas.user);
    this.posts = new TypeOrmPostRepository(dataSource, schemas.post, insertReturning);
    this.tags = new TypeOrmTagRepository(dataSource);
    this.comments = new TypeOrmCommentRepository(dataSource, schemas.comment, schemas.user, insertReturning);
    this.sessions = new TypeOrmSessionRepository(dataSource, schemas.session, schemas.user);
    this.follows = new TypeOrmFollowRepository(dataSource, schemas.user);
    this.favorites = new TypeOrmFavoriteRepository(dataSource, schemas.post);
    this.idempotencyKeys = new TypeOrmIdempotencyKeyRepository(dataSource, schemas.idempotencyKey);
    this.transfer = new TypeOrmTransferRepository(dataSource, schemas, insertReturning);
    this.kind = dialectOf(dataSource.options);
  }

  /**
   * A server answers through the pool, over the network. SQLite has no server: this shows only that the
   * file is open, which is all there is to know, since in WAL mode no other connection can lock a reader out.
   */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.posts.close();
    await this.dataSource.destroy();
  }
}

/**
 * Brings the schema up to date with the committed migrations, free of the statement budget, then connects
 * to serve, and learns what the server can do. SQLite migrates on the connection that serves (an in-memory
 * database lives only as long as its connection), before it stops waiting for locks synchronously.
 */
export async function openTypeOrmStore(database: DatabaseConfig): Promise<TypeOrmStore> {
  const schemas = entities(sqlDialect(database));
  const mode = database.schema ?? 'migrate';
  if (database.kind !== 'sqlite') await migrate(createDataSource(database, schemas, 'migrating'), mode);
  const dataSource = createDataSource(database, schemas, 'serving');
  await dataSource.initialize();
  try {
    if (database.kind === 'sqlite') {
      await migrateInitialized(dataSource, mode);
      waitForLocksOnTimers(dataSource, database.connectTimeoutMs);
    }
    if (database.captureOperations) captureStatements(dataSource);
    return new TypeOrmStore(dataSource, schemas, await insertCanReturn(dataSource));
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

async function migrate(dataSource: DataSource, mode: SchemaMode): Promise<void> {
  await dataSource.initialize();
  try {
    await migrateInitialized(dataSource, mode);
  } finally {
    await dataSource.destroy();
  }
}

type SchemaMode = NonNullable<DatabaseConfig['schema']>;

/** Runs the pending migrations, or, as `mode` says, refuses a schema that some are pending for. */
async function migrateInitialized(dataSource: DataSource, mode: SchemaMode): Promise<void> {
  if (mode !== 'migrate') {
    const executor = new MigrationExecutor(dataSource);
    const pending = await executor.getPendingMigrations();
    if (pending.length === 0) return;
    const isNew = (await executor.getExecutedMigrations()).length === 0;
    if (mode === 'check' || !isNew) throw new SchemaBehindError(`${pending.length} migrations not applied, the first ${pending[0].name}`);
  }
  await dataSource.runMigrations();
}
