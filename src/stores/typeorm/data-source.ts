import { DataSource, type DataSourceOptions } from 'typeorm';
import { type DatabaseConfig, sqlitePath } from '../../config';
import type { SqlDialect } from './dialect';
import { type Entities, entities } from './entities';
import { migrations } from './migrations';

export function sqlDialect(database: DatabaseConfig): SqlDialect {
  if (database.kind === 'mongodb') throw new Error('MongoDB is not a SQL store');
  return database.kind;
}

/** The one place that turns a DATABASE_URL into TypeORM options. Schema changes come only from migrations. */
export function createDataSource(database: DatabaseConfig, schemas: Entities = entities(sqlDialect(database))): DataSource {
  const common = {
    entities: [schemas.user, schemas.post, schemas.session],
    migrations,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  let options: DataSourceOptions;
  switch (sqlDialect(database)) {
    case 'sqlite':
      options = { ...common, type: 'better-sqlite3', database: sqlitePath(database.url), enableWAL: true };
      break;
    case 'postgres':
      options = { ...common, type: 'postgres', url: database.url, connectTimeoutMS: database.connectTimeoutMs };
      break;
    case 'mysql':
      options = {
        ...common,
        type: database.url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
        url: database.url,
        connectTimeout: database.connectTimeoutMs,
        // Read and write datetime columns as UTC whatever the server's or host's zone.
        timezone: 'Z',
        charset: 'utf8mb4_unicode_ci',
      };
      break;
  }
  return new DataSource(options);
}
