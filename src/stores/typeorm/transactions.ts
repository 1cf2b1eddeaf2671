import { type DataSource, QueryFailedError, type QueryRunner } from 'typeorm';
import { dialectOf } from './dialect';
import { type SqliteConnection, bindable, compiledStatement, sqliteConnection, whileLocked } from './sqlite-statements';

/** One SQL statement, with TypeORM's named parameters (`:name`, `:...list`). */
export interface Statement {
  sql: string;
  parameters?: Record<string, unknown>;
}

/** What a statement did: the rows it read or returned, and the rows it changed. */
export interface Outcome {
  rows: Record<string, unknown>[];
  affected: number;
  /** The id a MariaDB INSERT generated (PostgreSQL and SQLite say `RETURNING id` instead). */
  insertId?: number;
}

/**
 * A transaction's work, written once for every dialect: a generator that
 * yields each statement and receives its outcome, so later statements can use
 * earlier results.
 */
export type Work<T> = Generator<Statement, T, Outcome>;

/**
 * Runs `work` in one transaction and answers its result; any error rolls it
 * all back.
 *
 * On SQLite the whole transaction runs synchronously on better-sqlite3's one
 * connection (BEGIN IMMEDIATE, so it takes the write lock first): no other
 * request of this process can run a statement in the middle of it, which
 * TypeORM's own SQLite transactions, sharing that connection with every
 * request, cannot promise. While another connection holds the write lock, it
 * is tried again, whole, on timers (see whileLocked): a failed attempt was
 * rolled back, and `work` starts afresh. PostgreSQL and MariaDB run it on a
 * pooled connection of its own.
 */
export async function transaction<T>(dataSource: DataSource, work: () => Work<T>): Promise<T> {
  if (dialectOf(dataSource.options) === 'sqlite') {
    const database = sqliteConnection(dataSource);
    try {
      return await whileLocked(database, () =>
        database.transaction(() => drive(work(), (statement) => runOnSqlite(dataSource, database, statement))).immediate(),
      );
    } catch (error) {
      // BEGIN and COMMIT fail outside any one statement (a lock held by another process, a full disk).
      throw isSqliteError(error) ? new QueryFailedError('BEGIN IMMEDIATE … COMMIT', [], error) : error;
    }
  }
  return retriedOnDeadlock(() => onPool(dataSource, work));
}

/**
 * Runs `attempt` again while PostgreSQL or MariaDB picks it as a deadlock
 * victim, up to five times. A victim did nothing: the server rolled it back,
 * so it is run again from the start, after a short random pause so that the
 * writers it met do not meet again. `attempt` must be one transaction, or one
 * statement on its own, or writes that are safe to repeat: MariaDB's range
 * deletes (the sweeps of expired sessions and keys) lock gaps that concurrent
 * inserts wait on, and either side may be the victim.
 */
export async function retriedOnDeadlock<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isDeadlock(error) || tried === maxAttempts) throw error;
      await new Promise((done) => setTimeout(done, 5 + Math.random() * 20 * tried));
    }
  }
}

const maxAttempts = 5;

/** PostgreSQL's deadlock_detected and MariaDB's ER_LOCK_DEADLOCK: two writers took locks in different orders. */
function isDeadlock(error: unknown): boolean {
  const code = error instanceof QueryFailedError ? (error.driverError as { code?: unknown }).code : undefined;
  return code === '40P01' || code === 'ER_LOCK_DEADLOCK';
}

async function onPool<T>(dataSource: DataSource, work: () => Work<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    const generator = work();
    let step = generator.next();
    while (!step.done) step = generator.next(await runOnPool(dataSource, runner, step.value));
    await runner.commitTransaction();
    return step.value;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => {});
    throw error;
  } finally {
    await runner.release();
  }
}

/** By its code rather than its class: the native addon keeps the SqliteError class of the first realm that loaded it. */
function isSqliteError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return !(error instanceof QueryFailedError) && typeof code === 'string' && code.startsWith('SQLITE_');
}

function drive<T>(generator: Work<T>, run: (statement: Statement) => Outcome): T {
  let step = generator.next();
  while (!step.done) step = generator.next(run(step.value));
  return step.value;
}

function runOnSqlite(dataSource: DataSource, database: SqliteConnection, { sql, parameters = {} }: Statement): Outcome {
  const bound = Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, bindable(value)]));
  const [text, values] = dataSource.driver.escapeQueryWithParameters(sql, bound);
  try {
    const statement = compiledStatement(database, text);
    if (statement.reader) return { rows: statement.all(...values) as Record<string, unknown>[], affected: 0 };
    return { rows: [], affected: statement.run(...values).changes };
  } catch (error) {
    // As TypeORM reports a failed query, so that sql-errors.ts reads it the same way.
    throw new QueryFailedError(text, values, error as Error);
  }
}

async function runOnPool(dataSource: DataSource, runner: QueryRunner, { sql, parameters = {} }: Statement): Promise<Outcome> {
  const [text, values] = dataSource.driver.escapeQueryWithParameters(sql, parameters);
  const result = await runner.query(text, values, true);
  const raw = result.raw as { insertId?: number } | undefined;
  return { rows: result.records ?? [], affected: result.affected ?? 0, insertId: raw?.insertId };
}
