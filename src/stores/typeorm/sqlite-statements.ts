import { setTimeout as sleep } from 'node:timers/promises';
import { type DataSource, QueryFailedError, type QueryRunner } from 'typeorm';

/** The part of a better-sqlite3 statement used here. */
export interface SqliteStatement {
  reader: boolean;
  all(...values: unknown[]): unknown[];
  run(...values: unknown[]): { changes: number };
}

/** The part of better-sqlite3's connection used here. */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  transaction<T>(run: () => T): { immediate(): T };
  pragma(source: string): unknown;
}

/** The one connection TypeORM's better-sqlite3 driver holds. */
export function sqliteConnection(dataSource: DataSource): SqliteConnection {
  return (dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
}

/** Statements of more texts than this are compiled again when next needed. */
const maxStatements = 200;
const compiled = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/**
 * The statement for `sql`, compiled once per connection: compiling costs more than running a short statement.
 * Only texts whose values are all bound are worth keeping (see `bindable`).
 */
export function compiledStatement(database: SqliteConnection, sql: string): SqliteStatement {
  let statements = compiled.get(database);
  if (statements === undefined) compiled.set(database, (statements = new Map()));
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = database.prepare(sql);
    if (statements.size >= maxStatements) statements.delete(statements.keys().next().value!);
    statements.set(sql, statement);
  }
  return statement;
}

/**
 * A value as better-sqlite3 should bind it: it binds numbers as reals, BigInts as integers. Given as a BigInt,
 * an integer is also bound by TypeORM's escaping, which writes numbers into a statement's text (making a new
 * text, so a new compiled statement, for every id).
 */
export function bindable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bindable);
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
}

/** How long each SQLite connection waits for a lock another connection holds, when it waits on timers. */
const lockBudgets = new WeakMap<SqliteConnection, number>();

/**
 * From now on, a statement or transaction of `dataSource` that meets the write lock held by another
 * connection (a backup, a migration, another process) is tried again on timers until `budgetMs` has
 * passed, and only then fails with SQLITE_BUSY. better-sqlite3's own busy timeout waits synchronously,
 * holding up every request of the process, one waiting write after another; it is turned off here.
 */
export function waitForLocksOnTimers(dataSource: DataSource, budgetMs: number): void {
  const database = sqliteConnection(dataSource);
  database.pragma('busy_timeout = 0');
  lockBudgets.set(database, budgetMs);
  // TypeORM's better-sqlite3 driver runs every query of the data source through this one runner.
  const runner: QueryRunner = dataSource.driver.createQueryRunner('master');
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  // Within one of TypeORM's transactions (the service opens none on SQLite) a statement is not tried again:
  // the transaction may hold a snapshot that every try would find stale.
  runner.query = ((...args: unknown[]) => (runner.isTransactionActive ? query(...args) : whileLocked(database, () => query(...args)))) as never;
}

/**
 * `attempt`'s result, trying it again after a short pause (1 ms, doubling up to 25 ms) while it fails
 * because another connection holds the lock, until the connection's lock budget has passed. Only for an
 * attempt that did nothing when it failed so: one statement outside a transaction, or a whole transaction,
 * which SQLite and better-sqlite3 roll back on any error.
 */
export async function whileLocked<T>(database: SqliteConnection, attempt: () => T | Promise<T>): Promise<T> {
  const deadline = performance.now() + (lockBudgets.get(database) ?? 0);
  for (let pause = 1; ; pause = Math.min(2 * pause, 25)) {
    try {
      return await attempt();
    } catch (error) {
      const left = deadline - performance.now();
      if (!isLocked(error) || left <= 0) throw error;
      await sleep(Math.min(pause, left));
    }
  }
}

/**
 * SQLITE_BUSY (another connection holds the lock), with its extended codes but SQLITE_BUSY_SNAPSHOT (a
 * transaction that read an older state: only starting it again can mend that), and SQLITE_LOCKED.
 */
function isLocked(error: unknown): boolean {
  const cause: unknown = error instanceof QueryFailedError ? error.driverError : error;
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code) && code !== 'SQLITE_BUSY_SNAPSHOT';
}
