import pg from 'pg';
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
    entities: [schemas.user, schemas.post, schemas.session, schemas.idempotencyKey],
    migrations,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  let options: DataSourceOptions;
  switch (sqlDialect(database)) {
    case 'sqlite':
      // TypeORM writes datetime columns as UTC text and reads them back as UTC, whatever the process's zone.
      options = {
        ...common,
        type: 'better-sqlite3',
        database: sqlitePath(database.url),
        enableWAL: true,
        // How long a write waits for a lock another process holds. better-sqlite3 waits synchronously,
        // holding up every request of this process meanwhile: the same bound as a server's connect.
        timeout: database.connectTimeoutMs,
      };
      break;
    case 'postgres':
      // pg writes a Date parameter in the process's zone with an offset rounded to minutes, which moves
      // instants of zones whose offset had seconds (Local Mean Time, before about 1900) by those seconds.
      // pg has no per-connection switch for it; this process-wide one changes only how an instant is
      // spelt (in UTC), never which instant, so no other pg client in the process can be hurt by it.
      pg.defaults.parseInputDatesAsUTC = true;
      options = {
        ...common,
        type: 'postgres',
        url: database.url,
        connectTimeoutMS: database.connectTimeoutMs,
        // The session's zone decides how timestamptz values are read back: UTC, whatever the server's
        // or the database's default.
        extra: { options: '-c TimeZone=UTC' },
      };
      break;
    case 'mysql':
      options = {
        ...common,
        type: database.url.startsWith('mariadb:') ? 'mariadb' : 'mysql',
        url: database.url,
        connectTimeout: database.connectTimeoutMs,
        // Read and write datetime columns as UTC whatever the server's or the process's zone; datetime
        // itself holds no zone, so the session's time_zone never applies to it.
        timezone: 'Z',
        charset: 'utf8mb4_unicode_ci',
      };
      break;
  }
  return new DataSource(options);
}
