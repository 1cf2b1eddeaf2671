import type { DataSource } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { type Settle, operationSent } from '../capture';
import { type SqlDialect, dialectOf } from './dialect';
import { SqliteReader } from './sqlite-reader';
import { sqliteConnection } from './sqlite-statements';

/**
 * From now on, each statement `dataSource`'s driver sends on behalf of a recording request (see ../capture.ts)
 * is recorded where it leaves the process, whichever path issued it: TypeORM's query runners and query
 * builder, the direct statements (direct-statements.ts), transactions (transactions.ts, their BEGIN and COMMIT
 * included), and on SQLite the list reads handed to the reader thread (sqlite-reader.ts). The driver's own
 * method is wrapped, once per process, and still does the work; outside a recording request the wrapper only
 * asks whether one is recording. Installed only when the service captures operations (SERVER_TIMING=true or
 * LOG_LEVEL=debug): otherwise no driver is wrapped at all.
 */
export function captureStatements(dataSource: DataSource): void {
  const dialect = dialectOf(dataSource.options);
  switch (dialect) {
    case 'sqlite': {
      // The class of every statement, the BEGIN and COMMIT that better-sqlite3's transactions prepare included.
      const statement = Object.getPrototypeOf(sqliteConnection(dataSource).prepare('SELECT 1')) as object;
      for (const key of ['run', 'all', 'get']) hook(statement, key, (self) => (self as { source: string }).source, dialect, settledAtOnce);
      hook(SqliteReader.prototype, 'all', (_self, [sql]) => sql as string, dialect, settledByPromise);
      break;
    }
    case 'postgres':
      // Pool.query hands a callback to Client.query; TypeORM's query runner awaits its promise.
      hook((dataSource.driver as PostgresDriver).postgres.Client.prototype, 'query', (_self, [first]) => sqlOf(first), dialect, settledByCallbackOrPromise);
      break;
    case 'mysql': {
      // Pool.query and TypeORM's query runner both end in a pooled connection's query, which answers the command.
      const { Connection } = (dataSource.driver as MysqlDriver).mysql as { Connection: { prototype: object } };
      hook(Connection.prototype, 'query', (_self, [first]) => sqlOf(first), dialect, settledByEndEvent);
      break;
    }
  }
}

/**
 * The statement as recorded: on one line, with every inline literal masked as `?` (parameters already are
 * placeholders, `?` or `$n`, but a LIMIT or a number TypeORM writes into the text is not).
 */
export function maskedStatement(sql: string, dialect: SqlDialect): string {
  // MariaDB and MySQL also read "…" as a string; the others as a name, kept.
  const strings = dialect === 'mysql' ? /'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"/g : /'(?:[^']|'')*'/g;
  return sql
    .replace(strings, '?')
    .replace(/(?<![\w$.`"])\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A SQL text given as a string or as a query object's `text` (pg) or `sql` (mysql2). */
function sqlOf(first: unknown): string | undefined {
  if (typeof first === 'string') return first;
  const query = first as { text?: unknown; sql?: unknown } | null;
  const text = query?.text ?? query?.sql;
  return typeof text === 'string' ? text : undefined;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;
/** Calls the driver's method and arranges for `settle` once the statement has answered or failed. */
type Completion = (original: Method, self: unknown, args: unknown[], settle: Settle) => unknown;

const settledAtOnce: Completion = (original, self, args, settle) => {
  try {
    return original.apply(self, args);
  } finally {
    settle();
  }
};

const settledByPromise: Completion = (original, self, args, settle) => {
  const result = original.apply(self, args) as Promise<unknown>;
  result.then(settle, settle);
  return result;
};

const settledByCallbackOrPromise: Completion = (original, self, args, settle) => {
  const last = args.length - 1;
  if (typeof args[last] === 'function') {
    const callback = args[last] as Method;
    args[last] = function (this: unknown, ...results: unknown[]) {
      settle();
      return callback.apply(this, results);
    };
    return original.apply(self, args);
  }
  const result = original.apply(self, args) as { then?: unknown; once?: unknown } | undefined;
  if (typeof result?.then === 'function') (result as Promise<unknown>).then(settle, settle);
  else if (typeof result?.once === 'function') (result as NodeJS.EventEmitter).once('end', settle);
  return result;
};

/** mysql2's command emits `end` once answered, after a failure too. */
const settledByEndEvent: Completion = (original, self, args, settle) => {
  const command = original.apply(self, args) as NodeJS.EventEmitter | undefined;
  command?.once('end', settle);
  return command;
};

const hooked = new WeakMap<object, Set<string>>();

/** Wraps method `key` of `prototype`, once per process: the text is read before the call, as the driver may rewrite it. */
function hook(prototype: object, key: string, textOf: (self: unknown, args: unknown[]) => string | undefined, dialect: SqlDialect, completion: Completion): void {
  const keys = hooked.get(prototype) ?? new Set<string>();
  if (keys.has(key)) return;
  keys.add(key);
  hooked.set(prototype, keys);
  const target = prototype as Record<string, Method>;
  const original = target[key];
  target[key] = function (this: unknown, ...args: unknown[]) {
    const settle = operationSent(() => {
      const text = textOf(this, args);
      return text === undefined ? undefined : maskedStatement(text, dialect);
    });
    return settle === undefined ? original.apply(this, args) : completion(original, this, args, settle);
  };
}
