import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { databaseConfig } from '../../src/config';

export interface CopyOptions {
  from: string;
  to: string;
  /** Compare only: nothing is written. */
  verifyOnly: boolean;
  /** Records per read and per write. */
  batch: number;
}

export const defaultBatch = 1000;

export const usage = `usage: npm run copy -- --from URL --to URL [--batch N]
       npm run copy -- --verify --from URL --to URL
  --from URL   the store to copy, as DATABASE_URL names it (sqlite:…, postgres://…, mysql://…, mongodb://…)
  --to URL     the store to copy into: empty, or holding this copy's own unfinished work
  --verify     compare the two stores record by record, and write nothing
  --batch N    records per read and per write (default ${defaultBatch})
exit codes: 0 copied and verified (or verified equal), 1 a difference or a failure, 2 bad arguments,
            3 a store cannot be opened, is not up to date, or went away (run it again to go on),
            4 the target holds other data`;

/** A mistake in the command line: shown with the usage, never with a stack. */
export class UsageError extends Error {}

export function parseOptions(args: string[]): CopyOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        verify: { type: 'boolean', default: false },
        batch: { type: 'string', default: String(defaultBatch) },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.replaceAll('\n', ' '));
  }
  const { from, to } = values;
  if (from === undefined || to === undefined) throw new UsageError(`--${from === undefined ? 'from' : 'to'} is required`);
  for (const url of [from, to]) {
    try {
      databaseConfig(url);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (sameStore(from, to)) throw new UsageError('--from and --to name the same store');
  const batch = values.batch;
  if (!/^\d+$/.test(batch) || Number(batch) < 1 || Number(batch) > 100_000) throw new UsageError(`--batch must be a whole number from 1 to 100000, not '${batch}'`);
  return { from, to, verifyOnly: values.verify, batch: Number(batch) };
}

/** Whether two URLs name one store: the same scheme family, host, port and database (or SQLite file). */
function sameStore(a: string, b: string): boolean {
  const [one, other] = [databaseConfig(a), databaseConfig(b)];
  return one.kind === other.kind && storeAddress(a) === storeAddress(b);
}

/** Where a URL's store is, without credentials or options: `postgres 127.0.0.1:5432/blog`, `sqlite /abs/path`. */
export function storeAddress(url: string): string {
  const { kind } = databaseConfig(url);
  if (kind === 'sqlite') {
    const path = url.slice(url.indexOf(':') + 1);
    // Two in-memory databases are never the same store.
    return `sqlite ${path === ':memory:' ? `${path}${Math.random()}` : resolve(path)}`;
  }
  const parsed = new URL(url);
  const port = parsed.port || { postgres: '5432', mysql: '3306', mongodb: '27017' }[kind];
  const host = parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname;
  return `${kind} ${host}:${port}${decodeURIComponent(parsed.pathname)}`;
}
