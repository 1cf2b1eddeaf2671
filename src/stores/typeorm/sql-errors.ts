import { QueryFailedError } from 'typeorm';
import { isNetworkError } from '../network-errors';

interface DriverError {
  code?: string;
}

function driverCode(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError)) return undefined;
  return (error.driverError as DriverError).code;
}

/** SQLite, PostgreSQL and MariaDB/MySQL each name a broken unique index differently (SQLite a text primary key apart). */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505' || code === 'ER_DUP_ENTRY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503' || code === 'ER_NO_REFERENCED_ROW_2';
}

const unavailableCodes = new Set([
  // PostgreSQL: too many connections, disk full, shutting down or starting up, database dropped or missing.
  '53300',
  '53100',
  '57P01',
  '57P02',
  '57P03',
  '57P04',
  '3D000',
  // MariaDB/MySQL: connection lost, too many connections, shutting down, database missing.
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_USER_LIMIT_REACHED',
  'ER_SERVER_SHUTDOWN',
  'ER_BAD_DB_ERROR',
  // SQLite: the file is full.
  'SQLITE_FULL',
]);

/** SQLite, with its extended codes: the file is locked by another connection, unreadable or cannot be opened. */
const sqliteUnavailable = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN)(_|$)/;

/** pg says these with no code: a connection cut mid-query, a connect that timed out, a pool that found no connection in time. */
const pgConnectionMessages = /^(Connection terminated unexpectedly|Connection terminated due to connection timeout|timeout exceeded when trying to connect)$/;

/**
 * The database cannot be used right now, whatever the request: the server is down, unreachable, shutting
 * down or out of connections, the database is gone, or (SQLite) the file is locked by another process. A
 * pool raises its connect errors as they are; a failed query comes wrapped in QueryFailedError.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const cause = error instanceof QueryFailedError ? error.driverError : error;
  if (isNetworkError(cause)) return true;
  const { code, message } = (cause ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return unavailableCodes.has(code) || code.startsWith('08') || sqliteUnavailable.test(code);
  return typeof message === 'string' && pgConnectionMessages.test(message);
}

/**
 * The server ended a statement that outlasted the statement budget, running or waiting for a lock:
 * PostgreSQL's query_canceled (statement_timeout) and lock_not_available (lock_timeout); MariaDB's
 * max_statement_time (1969, to which mysql2 gives no code name) and lock wait timeout (1205); MySQL's
 * max_execution_time (3024).
 */
export function isStoreTimeout(error: unknown): boolean {
  // Post reads that go straight to the driver raise its errors unwrapped.
  const cause = error instanceof QueryFailedError ? error.driverError : error;
  const { code, errno } = (cause ?? {}) as { code?: unknown; errno?: unknown };
  if (typeof code === 'string' && (code === '57014' || code === '55P03')) return true;
  return typeof errno === 'number' && (errno === 1969 || errno === 1205 || errno === 3024);
}
