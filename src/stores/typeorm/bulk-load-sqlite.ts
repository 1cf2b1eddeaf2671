import { Worker } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import { type DeferredLoad, type LoadBatch, type NextIds, postColumns, postValues } from './bulk-load-rows';
import { chunks } from './bulk-inserts';
import { bindable } from './sqlite-statements';

/** Pages the load's connection may keep in memory (negative: KiB): the whole load, so nothing is written before COMMIT. */
const loadCacheKib = 262_144;

/**
 * One statement for the load's thread: run once, or once for each of `rows`,
 * or, with `all`, run with those values and its rows answered.
 */
interface Step {
  sql: string;
  rows?: unknown[][];
  all?: unknown[];
}

/**
 * The thread's code, plain CommonJS so that it runs as is from the sources
 * under test and from the build (as sqlite-reader.ts does): a connection of
 * its own on the file, running the steps of each message in order.
 */
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.path, { fileMustExist: true, timeout: workerData.timeoutMs });
parentPort.on('message', ({ id, steps }) => {
  try {
    const results = steps.map(({ sql, rows, all }) => {
      const statement = database.prepare(sql);
      if (all !== undefined) return statement.all(...all);
      for (const row of rows === undefined ? [[]] : rows) statement.run(...row);
      return null;
    });
    parentPort.postMessage({ id, results });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/** A failure the load's thread reported, with the driver's code. */
export class SqliteLoadError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * SQLite: the whole load is one transaction (BEGIN IMMEDIATE … COMMIT), so a
 * failure anywhere leaves the database as it was; SQLite's DDL is
 * transactional, so the indexes it drops come back with a ROLLBACK too. The
 * foreign keys are part of each table's definition and cannot be dropped:
 * their checks are turned off for the load's connection (PRAGMA foreign_keys,
 * which only works outside a transaction) and PRAGMA foreign_key_check looks
 * at every row before COMMIT. The indexes are made again from the text
 * sqlite_master kept of them, in their first order.
 *
 * better-sqlite3 runs a statement on the thread that calls it, so the load
 * runs on a thread of its own, with a connection of its own: this thread
 * makes the next rows while that one writes these. A file only: a database
 * in memory lives in its one connection.
 */
export class SqliteBulkLoad implements DeferredLoad<Step[]> {
  private thread: LoadThread | undefined;
  private indexes: string[] = [];
  private readonly storedDates = new Map<number, unknown>();

  constructor(private readonly dataSource: DataSource) {}

  async begin(): Promise<NextIds | null> {
    const { options } = this.dataSource;
    if (options.type !== 'better-sqlite3') throw new Error('a SQLite bulk load needs a SQLite data source');
    const thread = (this.thread = new LoadThread(options.database, options.timeout ?? 5_000));
    try {
      await thread.run([{ sql: 'PRAGMA foreign_keys = OFF' }, { sql: `PRAGMA cache_size = -${loadCacheKib}` }, { sql: 'BEGIN IMMEDIATE' }]);
      const filled = await thread.run(['posts', 'tags', 'post_tags'].map((table) => ({ sql: `SELECT 1 FROM ${table} LIMIT 1`, all: [] })));
      if (filled.some((rows) => rows.length > 0)) {
        await this.abort();
        return null;
      }
      const [indexes, sequences] = await thread.run([
        { sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('posts', 'post_tags') AND sql IS NOT NULL ORDER BY rowid", all: [] },
        // AUTOINCREMENT tables: the next id is past the highest ever given, which sqlite_sequence keeps (and moves on as ids are given).
        { sql: "SELECT name, seq FROM sqlite_sequence WHERE name IN ('posts', 'tags')", all: [] },
      ]);
      await thread.run((indexes as { name: string }[]).map(({ name }) => ({ sql: `DROP INDEX "${name}"` })));
      this.indexes = (indexes as { sql: string }[]).map(({ sql }) => sql);
      const given = new Map((sequences as { name: string; seq: number }[]).map(({ name, seq }) => [name, Number(seq)]));
      return { post: (given.get('posts') ?? 0) + 1, tag: (given.get('tags') ?? 0) + 1 };
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  prepare({ posts, tags, links }: LoadBatch): Step[] {
    return [
      { sql: 'INSERT INTO tags (id, name) VALUES (?, ?)', rows: tags.map(({ id, name }) => [BigInt(id), name]) },
      {
        sql: `INSERT INTO posts (id, ${postColumns.join(', ')}) VALUES (${['id', ...postColumns].map(() => '?').join(', ')})`,
        rows: posts.map(({ id, post }) => [id, ...postValues(post)].map((value) => this.stored(value))),
      },
      { sql: 'INSERT INTO post_tags (post_id, tag_id) VALUES (?, ?)', rows: links.map(({ postId, tagId }) => [BigInt(postId), BigInt(tagId)]) },
    ];
  }

  async send(steps: Step[]): Promise<void> {
    await this.thread!.run(steps);
  }

  async missingUsers(ids: number[]): Promise<number[]> {
    const found = new Set<number>();
    for (const some of chunks(ids)) {
      const [rows] = await this.thread!.run([{ sql: `SELECT id FROM users WHERE id IN (${some.map(() => '?').join(', ')})`, all: some.map(bindable) }]);
      for (const { id } of rows as { id: number }[]) found.add(Number(id));
    }
    return ids.filter((id) => !found.has(id));
  }

  async end(_next: NextIds): Promise<void> {
    const thread = this.thread!;
    const results = await thread.run([...this.indexes.map((sql) => ({ sql })), { sql: 'PRAGMA foreign_key_check', all: [] }]);
    const [broken] = results.at(-1) as { table: string; parent: string }[];
    if (broken !== undefined) throw new Error(`the load left a row of ${broken.table} without its ${broken.parent} row`);
    await thread.run([{ sql: 'COMMIT' }]);
    await this.close();
  }

  async abort(): Promise<void> {
    try {
      // Closing the connection would roll back too; this says so.
      await this.thread?.run([{ sql: 'ROLLBACK' }]).catch(() => {});
    } finally {
      await this.close();
    }
  }

  private async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.close();
  }

  /**
   * A value as the repositories bind it: dates as TypeORM writes them for SQLite (its escaping, so the
   * text is the same), integers as integers (see bindable). Dates repeat: each is converted once.
   */
  private stored(value: unknown): unknown {
    if (!(value instanceof Date)) return bindable(value);
    let stored = this.storedDates.get(value.getTime());
    if (stored === undefined) {
      [stored] = this.dataSource.driver.escapeQueryWithParameters(':value', { value })[1] as unknown[];
      this.storedDates.set(value.getTime(), stored);
    }
    return stored;
  }
}

/** The load's thread: each message's steps run in order, one message after another. */
class LoadThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { done: (results: unknown[][]) => void; fail: (error: Error) => void }>();
  private sent = 0;
  private failure: Error | undefined;

  constructor(path: string, timeoutMs: number) {
    this.worker = new Worker(threadSource, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), path, timeoutMs } });
    this.worker.on('message', ({ id, results, error }: { id: number; results?: unknown[][]; error?: { message: string; code?: string } }) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined) waiting?.fail(new SqliteLoadError(error.message, error.code));
      else waiting?.done(results!);
    });
    const stop = (error: Error) => {
      this.failure ??= error;
      for (const { fail } of this.pending.values()) fail(error);
      this.pending.clear();
    };
    this.worker.on('error', stop);
    this.worker.on('exit', (code) => stop(new Error(`the SQLite load's thread exited with code ${code}`)));
  }

  run(steps: Step[]): Promise<unknown[][]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = (this.sent += 1);
    return new Promise((done, fail) => {
      this.pending.set(id, { done, fail });
      this.worker.postMessage({ id, steps });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error("the SQLite load's thread is closed");
    await this.worker.terminate();
  }
}
