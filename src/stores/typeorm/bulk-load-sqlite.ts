import { Worker } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import { type DeferredLoad, type LoadBatch, type NextIds, type Sending, postColumns, postValues } from './bulk-load-rows';
import { chunks } from './bulk-inserts';
import { bindable } from './sqlite-statements';

/** Pages the load's connection may keep in memory (negative: KiB): the whole load, so nothing is written before COMMIT. */
const loadCacheKib = 262_144;

/**
 * One statement for the load's thread: run once, or once for each row of
 * `rows` (packed, see packRows), or, with `all`, run with those values and its
 * rows answered.
 */
interface Step {
  sql: string;
  rows?: PackedRows;
  all?: unknown[];
}

/** Rows of `width` values each, as packRows writes them. */
interface PackedRows {
  width: number;
  data: Uint8Array;
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
function* unpack({ width, data }) {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < buffer.length; ) {
    const row = new Array(width);
    for (let i = 0; i < width; i += 1) {
      const length = buffer.readInt32LE(at);
      at += 4;
      if (length < 0) {
        row[i] = buffer.readBigInt64LE(at);
        at += 8;
      } else {
        row[i] = buffer.subarray(at, at + length);
        at += length;
      }
    }
    yield row;
  }
}
parentPort.on('message', ({ id, steps }) => {
  try {
    const results = steps.map(({ sql, rows, all }) => {
      const statement = database.prepare(sql);
      if (all !== undefined) return statement.all(...all);
      for (const row of rows === undefined ? [[]] : unpack(rows)) statement.run(...row);
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
 * When no other connection has the file open, the load leaves WAL mode for
 * a rollback journal, and goes back after: WAL writes every page twice (into
 * the log at COMMIT, then into the file when the log is checkpointed), while
 * a rollback journal writes a new page once and keeps only the few old pages
 * it changes. Committing 100,000 posts took 2.0-3.3 s in WAL mode, 1.1-1.3 s
 * so. A load that dies half-way is still rolled back, from that journal.
 *
 * better-sqlite3 runs a statement on the thread that calls it, so the load
 * runs on a thread of its own, with a connection of its own: this thread
 * makes the next rows while that one writes these. A file only: a database
 * in memory lives in its one connection.
 */
export class SqliteBulkLoad implements DeferredLoad<Step[]> {
  private thread: LoadThread | undefined;
  private indexes: string[] = [];
  /** The journal mode to go back to, when the load left it. */
  private journalMode: string | undefined;
  private readonly storedDates = new Map<number, unknown>();

  constructor(private readonly dataSource: DataSource) {}

  async begin(): Promise<NextIds | null> {
    const { options } = this.dataSource;
    if (options.type !== 'better-sqlite3') throw new Error('a SQLite bulk load needs a SQLite data source');
    const thread = (this.thread = new LoadThread(options.database, options.timeout ?? 5_000));
    try {
      const [[{ journal_mode: mode }]] = (await thread.run([{ sql: 'PRAGMA journal_mode', all: [] }])) as { journal_mode: string }[][];
      if (mode === 'wal') {
        const [[{ journal_mode: now }]] = (await thread.run([{ sql: 'PRAGMA journal_mode = DELETE', all: [] }])) as { journal_mode: string }[][];
        if (now !== 'wal') this.journalMode = mode;
      }
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
    const steps = [
      insertStep('tags', ['id', 'name'], tags.map(({ id, name }) => [id, name])),
      insertStep(
        'posts',
        ['id', ...postColumns],
        posts.map(({ id, post }) => [id, ...postValues(post)].map((value) => this.stored(value))),
      ),
      insertStep('post_tags', ['post_id', 'tag_id'], links.map(({ postId, tagId }) => [postId, tagId])),
    ];
    return steps.filter((step) => step.rows!.data.length > 0);
  }

  async send(steps: Step[]): Promise<Sending> {
    // Handed over as soon as posted: the thread has them.
    return { written: this.thread!.run(steps).then(() => {}) };
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
    await this.restoreJournal();
    await this.close();
  }

  async abort(): Promise<void> {
    try {
      // Closing the connection would roll back too; this says so.
      await this.thread?.run([{ sql: 'ROLLBACK' }]).catch(() => {});
      await this.restoreJournal();
    } finally {
      await this.close();
    }
  }

  private async restoreJournal(): Promise<void> {
    if (this.journalMode === undefined) return;
    await this.thread!.run([{ sql: `PRAGMA journal_mode = ${this.journalMode}`, all: [] }]);
    this.journalMode = undefined;
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
    if (!(value instanceof Date)) return value;
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
      // The packed rows move to the thread rather than being copied.
      this.worker.postMessage({ id, steps }, steps.flatMap(({ rows }) => (rows === undefined ? [] : [rows.data.buffer as ArrayBuffer])));
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error("the SQLite load's thread is closed");
    await this.worker.terminate();
  }
}

/**
 * An INSERT of rows whose values are all texts or integers, the same in every
 * row. The thread binds each text as the UTF-8 bytes packRows wrote, which
 * SQLite stores as a blob unless told: CAST(? AS TEXT) stores the same text the
 * string would have been, without making a string of it only for
 * better-sqlite3 to write it back as UTF-8 (50,000 posts: 0.65 s against 1.2-1.6 s).
 */
function insertStep(table: string, columns: readonly string[], rows: unknown[][]): Step {
  const values = (rows[0] ?? []).map((value) => (typeof value === 'string' ? 'CAST(? AS TEXT)' : '?'));
  return { sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values.join(', ')})`, rows: packRows(rows) };
}

/**
 * Rows of texts and integers for the load's thread, in one buffer that moves
 * to it: each value its length in UTF-8 bytes then the bytes, or -1 then a
 * 64-bit integer (bound as an integer, see bindable). A structured clone of the
 * same rows copies each text as UTF-16: for 100,000 posts, 1.3 s and 191 MB on
 * this thread against 0.4 s and 117 MB.
 */
function packRows(rows: readonly (readonly unknown[])[]): PackedRows {
  let capacity = 0;
  for (const row of rows) for (const value of row) capacity += typeof value === 'string' ? 4 + 3 * value.length : 12;
  const buffer = Buffer.allocUnsafeSlow(capacity);
  let at = 0;
  for (const row of rows) {
    for (const value of row) {
      if (typeof value === 'string') {
        const length = buffer.write(value, at + 4);
        buffer.writeInt32LE(length, at);
        at += 4 + length;
      } else {
        buffer.writeInt32LE(-1, at);
        buffer.writeBigInt64LE(BigInt(value as number | bigint), at + 4);
        at += 12;
      }
    }
  }
  return { width: rows[0]?.length ?? 0, data: buffer.subarray(0, at) };
}
