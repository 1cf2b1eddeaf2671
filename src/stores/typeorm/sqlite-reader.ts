import { Worker } from 'node:worker_threads';

/**
 * The thread's code, plain CommonJS so that it runs as is from the sources
 * under test and from the build: one read-only connection on the file, and
 * each statement compiled once.
 */
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.path, { readonly: true, fileMustExist: true, timeout: workerData.timeoutMs });
const statements = new Map();
parentPort.on('message', ({ id, sql, values }) => {
  try {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = database.prepare(sql);
      if (statements.size >= 200) statements.delete(statements.keys().next().value);
      statements.set(sql, statement);
    }
    parentPort.postMessage({ id, rows: statement.all(...values) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/** A failure the reader's connection reported, with the driver's code as SQLite errors carry it on the main thread. */
export class SqliteReadError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * List reads of a SQLite file, run on a thread of their own. better-sqlite3
 * runs every statement on the calling thread. Measured with 400 posts of
 * 100,000 characters: a search page examines 100 of them in 20-30 ms, and
 * twelve clients searching without pause, on the main thread, held
 * `GET /posts/:id` for 7.9 s (with the busy machine's other work); on this
 * thread they wait only for each other, and the same probe's p99 was 0.12 s,
 * as without them. Smaller pages would not do: twelve queued pages of 2 ms
 * are still 24 ms a request behind them, and a tag filter or a count is
 * bounded by no cap. The connection is read-only on the same file: in WAL
 * mode it sees every committed write and never blocks a writer. One thread:
 * the machine's other core serves the rest. An in-memory database cannot be
 * shared, so its reads stay on the main thread.
 */
export class SqliteReader {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { done: (rows: Record<string, unknown>[]) => void; fail: (error: Error) => void }>();
  private sent = 0;
  private failure: Error | undefined;

  constructor(path: string, timeoutMs: number) {
    this.worker = new Worker(threadSource, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), path, timeoutMs } });
    this.worker.on('message', ({ id, rows, error }: { id: number; rows?: Record<string, unknown>[]; error?: { message: string; code?: string } }) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      if (error !== undefined) waiting?.fail(new SqliteReadError(error.message, error.code));
      else waiting?.done(rows!);
    });
    // A thread that could not start (or died) fails what waits on it, and every later read.
    const stop = (error: Error) => {
      this.failure ??= error;
      for (const { fail } of this.pending.values()) fail(error);
      this.pending.clear();
    };
    this.worker.on('error', stop);
    this.worker.on('exit', (code) => stop(new Error(`the SQLite reader thread exited with code ${code}`)));
    // Closing the store ends it; until then it keeps the process alive only while a read waits on it.
    this.worker.unref();
  }

  all(sql: string, values: unknown[]): Promise<Record<string, unknown>[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = (this.sent += 1);
    return new Promise((done, fail) => {
      this.pending.set(id, { done, fail });
      this.worker.ref();
      this.worker.postMessage({ id, sql, values });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the store is closed');
    await this.worker.terminate();
  }
}
