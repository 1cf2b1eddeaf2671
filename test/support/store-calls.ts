import Database from 'better-sqlite3';
import mysql2 from 'mysql2';
import pg from 'pg';
import { SqliteReader } from '../../src/stores/typeorm/sqlite-reader';
import type { StoreName } from './stores';

/**
 * What the service sends its store, read where it leaves the process: each statement a SQL driver sends
 * (better-sqlite3's statements, pg's and mysql2's queries, transactions' BEGIN and COMMIT included) and each
 * command the MongoDB driver sends on a connection. Nothing is stubbed: the driver's own method is wrapped
 * and still does the work. SQLite lists read on the reader thread are seen as they are handed to it.
 */
export interface StoreCalls {
  /** Starts a fresh record. */
  start(): void;
  /** What was sent since start(), in order: a statement's first words, or a MongoDB command's name and collection. */
  sent(): string[];
  /** Puts the drivers back as they were. */
  restore(): void;
}

/**
 * Calls to the store in `sent`: one statement on its own, or one whole transaction (from its BEGIN to its
 * COMMIT or ROLLBACK), or one MongoDB command.
 */
export function storeCalls(sent: readonly string[]): number {
  let calls = 0;
  let inTransaction = false;
  for (const what of sent) {
    if (!inTransaction) calls += 1;
    if (/^(BEGIN|START TRANSACTION)/.test(what)) inTransaction = true;
    if (/^(COMMIT|ROLLBACK)/.test(what)) inTransaction = false;
  }
  return calls;
}

export function recordStoreCalls(name: StoreName): StoreCalls {
  const sent: string[] = [];
  let recording = false;
  const record = (what: string) => {
    if (recording) sent.push(what);
  };
  const restore = wrapDriver(name, record);
  return {
    start: () => {
      sent.length = 0;
      recording = true;
    },
    sent: () => [...sent],
    restore: () => {
      recording = false;
      restore();
    },
  };
}

/** A statement's first words: its verb, and what it acts on (`SELECT`, `UPDATE posts`, `INSERT INTO tags`). */
export function statementHead(sql: string): string {
  const words = sql.trim().replace(/["`]/g, '').split(/\s+/);
  const verb = words[0].toUpperCase();
  if (verb === 'INSERT' || verb === 'DELETE') return words.slice(0, 3).join(' ');
  if (verb === 'UPDATE') return words.slice(0, 2).join(' ');
  if (verb === 'BEGIN' || verb === 'START') return words.slice(0, 2).join(' ');
  return verb;
}

/** Wraps method `key` of `prototype` so that `record` sees what `describe` makes of each call first; answers the undo. */
function wrap(prototype: object, key: string, describe: (self: unknown, args: unknown[]) => string | undefined, record: (what: string) => void): () => void {
  const target = prototype as Record<string, (...args: unknown[]) => unknown>;
  const original = target[key];
  target[key] = function (this: unknown, ...args: unknown[]) {
    const what = describe(this, args);
    if (what !== undefined) record(what);
    return original.apply(this, args);
  };
  return () => {
    target[key] = original;
  };
}

/** A SQL text given as a string or as a query object's `text` (pg) or `sql` (mysql2). */
function sqlOf(first: unknown): string | undefined {
  if (typeof first === 'string') return first;
  const query = first as { text?: unknown; sql?: unknown } | null;
  const text = query?.text ?? query?.sql;
  return typeof text === 'string' ? text : undefined;
}

/** The driver's own heartbeats and handshakes are not the service's calls. */
const driverCommands = new Set(['hello', 'ismaster', 'isMaster', 'endSessions', 'saslStart', 'saslContinue']);

function wrapDriver(name: StoreName, record: (what: string) => void): () => void {
  const statement = (_self: unknown, [first]: unknown[]) => {
    const sql = sqlOf(first);
    return sql === undefined ? undefined : statementHead(sql);
  };
  switch (name) {
    case 'sqlite': {
      // The class of every statement, the BEGIN and COMMIT of better-sqlite3's transactions included.
      const prototype = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as object;
      const undo = ['run', 'all', 'get', 'iterate'].map((key) => wrap(prototype, key, (self) => statementHead((self as { source: string }).source), record));
      // A list of a SQLite file is read on the reader thread: recorded as it is handed to the thread.
      undo.push(wrap(SqliteReader.prototype, 'all', (_self, [sql]) => statementHead(sql as string), record));
      return () => undo.forEach((restore) => restore());
    }
    case 'postgres':
      return wrap(pg.Client.prototype, 'query', statement, record);
    case 'mysql':
      return wrap((mysql2 as unknown as { Connection: { prototype: object } }).Connection.prototype, 'query', statement, record);
    case 'mongodb': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Connection } = require('mongodb/lib/cmap/connection') as { Connection: { prototype: object } };
      return wrap(Connection.prototype, 'command', (_self, [, command]) => {
        const [verb] = Object.keys(command as object);
        return driverCommands.has(verb) ? undefined : `${verb} ${String((command as Record<string, unknown>)[verb])}`;
      }, record);
    }
  }
}
