import { Worker } from 'node:worker_threads';

/** The thread: one read-only connection on the file, each statement prepared once. */
const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.path, { readonly: true, fileMustExist: true, timeout: 5000 });
const statements = new Map();
parentPort.on('message', ({ id, sql, values }) => {
  try {
    let statement = statements.get(sql);
    if (statement === undefined) statements.set(sql, (statement = database.prepare(sql)));
    parentPort.postMessage({ id, rows: statement.all(...values) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  }
});
`;

/**
 * Reads that may examine many rows, run on a thread of their own with a read-only connection, as the
 * service runs its list and count reads of a SQLite file (its src/stores/typeorm/sqlite-reader.ts), so
 * that the baseline's event loop is not held by them either.
 */
export class SqliteReader {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { done: (rows: unknown[]) => void; fail: (error: Error) => void }>();
  private sent = 0;

  constructor(path: string) {
    this.worker = new Worker(threadSource, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), path } });
    this.worker.on('message', ({ id, rows, error }: { id: number; rows?: unknown[]; error?: string }) => {
      const waiting = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined) waiting?.fail(new Error(error));
      else waiting?.done(rows!);
    });
    this.worker.on('error', (error) => {
      for (const { fail } of this.pending.values()) fail(error);
      this.pending.clear();
    });
    this.worker.unref();
  }

  all<T>(sql: string, values: unknown[]): Promise<T[]> {
    const id = (this.sent += 1);
    return new Promise((done, fail) => {
      this.pending.set(id, { done: done as (rows: unknown[]) => void, fail });
      this.worker.postMessage({ id, sql, values });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
