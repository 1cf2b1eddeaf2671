import { Socket, connect } from 'node:net';
import type mysql2 from 'mysql2';
import type pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { type DatabaseConfig, sqlitePath } from '../../config';
import type { SqlDialect } from './dialect';
import { type Entities, entities } from './entities';
import { migrations } from './migrations/index';
import { givenUpWhenUnanswered } from '../unanswered-sockets';

export function sqlDialect(database: DatabaseConfig): SqlDialect {
  if (database.kind === 'mongodb') throw new Error('MongoDB is not a SQL store');
  return database.kind;
}

/**
 * What a data source is for: running the migrations, whose statements (an index built over every row) may
 * rightly take longer than any request's, or serving requests, each statement within the statement budget.
 */
export type Purpose = 'migrating' | 'serving';

/** The one place that turns a DATABASE_URL into TypeORM options. Schema changes come only from migrations. */
export function createDataSource(
  database: DatabaseConfig,
  schemas: Entities = entities(sqlDialect(database)),
  purpose: Purpose = 'migrating',
): DataSource {
  const budget = purpose === 'serving' ? database.statementTimeoutMs : undefined;
  const common = {
    entities: [schemas.user, schemas.post, schemas.session, schemas.idempotencyKey, schemas.comment],
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
        // How long opening and the migrations wait for a lock another process holds. better-sqlite3 waits
        // synchronously, holding up the whole process: while serving, waits are made on timers instead
        // (see waitForLocksOnTimers).
        timeout: database.connectTimeoutMs,
      };
      break;
    case 'postgres':
      // pg writes a Date parameter in the process's zone with an offset rounded to minutes, which moves
      // instants of zones whose offset had seconds (Local Mean Time, before about 1900) by those seconds.
      // pg has no per-connection switch for it; this process-wide one changes only how an instant is
      // spelt (in UTC), never which instant, so no other pg client in the process can be hurt by it.
      serverDriver<typeof pg>('pg').defaults.parseInputDatesAsUTC = true;
      options = {
        ...common,
        type: 'postgres',
        url: database.url,
        connectTimeoutMS: database.connectTimeoutMs,
        // The session's zone decides how timestamptz values are read back: UTC, whatever the server's
        // or the database's default. The budget ends a statement that runs or waits for a lock too long
        // (57014 query_canceled, 55P03 lock_not_available).
        // A connection whose server has stopped answering is given up once its answer is later than both.
        extra: {
          options: ['-c TimeZone=UTC', ...(budget === undefined ? [] : [`-c statement_timeout=${budget}`, `-c lock_timeout=${budget}`])].join(' '),
          ...(budget !== undefined && { stream: () => givenUpWhenUnanswered(new Socket(), budget + database.connectTimeoutMs) }),
        },
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
        ...(budget !== undefined && { driver: withSessionSettings(budget, database.connectTimeoutMs) }),
      };
      break;
  }
  return new DataSource(options);
}

/**
 * mysql2 whose pools give every new connection the statement budget before its first query (queries on one
 * connection run in order). MariaDB counts `max_statement_time` in seconds, fractions allowed, and ends a
 * statement past it (error 1969), lock waits included; InnoDB's row-lock wait, 50 s by default,
 * and the metadata-lock wait, a year, take whole seconds. MySQL has no `max_statement_time`: its
 * `max_execution_time` (milliseconds) bounds SELECTs only, and the lock waits bound the rest.
 *
 * Each connection also lets MariaDB's planner weigh, for a join with ORDER BY … LIMIT, the join order that
 * reads the order's index and stops at the limit (MDEV-34720; off by default), and take it when it promises
 * to be 5 times cheaper. Without it a feed or a favoritedBy list always reads every post of the followees or
 * favorites and sorts them, even where they are most of the posts. MySQL and MariaDB releases before the
 * setting (late 2024) go without.
 */
function withSessionSettings(budgetMs: number, connectTimeoutMs: number): typeof mysql2 {
  const seconds = Math.ceil(budgetMs / 1000);
  const mysql = serverDriver<typeof mysql2>('mysql2');
  // What mysql2 does for a TCP connection of its own, and a connection whose server has stopped answering
  // is given up once its answer is later than the longest wait the server bounds.
  const stream = ({ config }: { config: { host?: string; port?: number } }) => {
    const socket = givenUpWhenUnanswered(connect(config.port ?? 3306, config.host ?? 'localhost'), seconds * 1000 + connectTimeoutMs);
    socket.setNoDelay(true);
    return socket;
  };
  const createPool = (config: mysql2.PoolOptions) => {
    const pool = mysql.createPool({ ...config, stream });
    pool.on('connection', (connection) => {
      // A connection that could not be given its budget is not used.
      const unless = (error: Error | null) => error && connection.destroy();
      const unlessKnown = (fallback?: () => void) => (error: (Error & { code?: string }) | null) =>
        error?.code === 'ER_UNKNOWN_SYSTEM_VARIABLE' ? fallback?.() : unless(error);
      connection.query(`SET SESSION innodb_lock_wait_timeout = ${seconds}, lock_wait_timeout = ${seconds}`, unless);
      connection.query(`SET SESSION max_statement_time = ${budgetMs / 1000}`, unlessKnown(() => connection.query(`SET SESSION max_execution_time = ${budgetMs}`, unless)));
      connection.query(`SET SESSION optimizer_join_limit_pref_ratio = ${joinLimitPreference}`, unlessKnown());
    });
    return pool;
  };
  return Object.assign(Object.create(mysql) as typeof mysql2, { createPool });
}

/** How much cheaper MariaDB must judge a join order that stops at the LIMIT to take it (see withSessionSettings). */
const joinLimitPreference = 5;

/** A server's driver, loaded when a data source of its dialect is made, as TypeORM loads its own: SQLite needs neither. */
function serverDriver<Driver>(name: 'pg' | 'mysql2'): Driver {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name) as Driver;
}
