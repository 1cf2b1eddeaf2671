import type { DataSource } from 'typeorm';

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
