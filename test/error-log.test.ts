import { runInNewContext } from 'node:vm';
import request from 'supertest';
import { QueryFailedError } from 'typeorm';
import { createApp } from '../src/app';
import { databaseConfig } from '../src/config';
import { StoreUnavailableError } from '../src/domain/errors';
import { errorForLog } from '../src/http/error-handler';
import { openStore } from '../src/stores/open-store';
import { testAppOptions } from './support/api';
import { loggerInto } from './support/log-lines';

describe('errors in the log', () => {
  const failedInsert = () => {
    const driverError = Object.assign(new Error("Data too long for column 'email_key' at row 1\nINSERT INTO `users` VALUES ('ada@example.com')"), {
      code: 'ER_DATA_TOO_LONG',
      sql: "INSERT INTO `users` VALUES ('ada@example.com', '$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA')",
    });
    return new QueryFailedError('INSERT INTO `users` VALUES (?, ?)', ['ada@example.com', '$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA'], driverError);
  };

  it('when a query fails, then the log keeps its kind, code, first message line and stack frames but not its SQL or parameters', () => {
    const logged = errorForLog(failedInsert());

    expect(logged).toMatchObject({ type: 'QueryFailedError', code: 'ER_DATA_TOO_LONG', message: "Data too long for column 'email_key' at row 1" });
    expect(logged.stack).toMatch(/^\s+at /);
    expect(JSON.stringify(logged)).not.toMatch(/ada@example\.com|\$scrypt\$|INSERT/);
  });

  it('when the store is unavailable, then the log keeps the kind, code and first message line of the driver error that said so', () => {
    const driverError = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect' });

    const logged = errorForLog(new StoreUnavailableError(driverError));

    expect(logged).toEqual({
      type: 'StoreUnavailableError',
      message: 'the store is unavailable',
      cause: { type: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
    });
  });

  it('when the driver error comes from another realm and is no native error, then the log still keeps its kind, code and message', () => {
    // As better-sqlite3 makes its SqliteError: a plain function whose prototype chains to another realm's Error.
    function SqliteError(this: { message: string; code: string }, message: string, code: string) {
      this.message = message;
      this.code = code;
    }
    SqliteError.prototype = Object.create(runInNewContext('Error.prototype'), { name: { value: 'SqliteError' } });
    const driverError: unknown = new (SqliteError as unknown as new (message: string, code: string) => object)('database is locked', 'SQLITE_BUSY');

    expect(driverError instanceof Error).toBe(false);
    expect(errorForLog(new StoreUnavailableError(driverError)).cause).toEqual({ type: 'SqliteError', code: 'SQLITE_BUSY', message: 'database is locked' });
  });

  it('when something that is not an Error is thrown, then its text is kept', () => {
    expect(errorForLog('boom')).toEqual({ message: 'boom' });
  });

  it('when a request fails with a 500, then the log has one line for it, at error level, with its request id and the real error', async () => {
    const lines: string[] = [];
    const logger = loggerInto(lines);
    const store = await openStore(databaseConfig('sqlite::memory:'));
    const app = createApp(store, { ...testAppOptions, logger });
    // A store closed under the app: every query then fails in TypeORM, with an error no rule maps.
    await store.close();

    const response = await request(app).get('/users').set('X-Request-Id', 'failing-request-1');

    expect(response.status).toBe(500);
    expect(response.body.detail).toBe('the server could not complete the request');
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: 50, req: { id: 'failing-request-1' }, res: { statusCode: 500 } });
    expect(entries[0].err).toEqual({ type: expect.stringMatching(/Error$/), message: expect.any(String), stack: expect.stringMatching(/^\s+at /) });
    expect(entries[0].err.message).not.toMatch(/\[object Object\]|failed with status code/);
  });
});
