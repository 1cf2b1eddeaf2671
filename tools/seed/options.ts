import { parseArgs } from 'node:util';
import { databaseConfig, settings } from '../../src/config';
import { defaultBatch } from './seed';

export interface SeedOptions {
  users: number;
  posts: number;
  databaseUrl: string;
  batch: number;
  /** Posts through the repository port even on an empty SQL database, instead of a bulk load. */
  throughPort: boolean;
}

export const usage = `usage: npm run seed -- --users N --posts M [--database-url URL] [--batch N] [--through-port]
  --users N           seeded users user0 … user<N-1> (emails user<n>@seed.example, password "seeded-password-1")
  --posts M           seeded posts, written by those users; needs --users of at least 1
  --database-url URL  the store, as DATABASE_URL names it (default: DATABASE_URL, else ${settings.DATABASE_URL})
  --batch N           users or posts per bulk write (default ${defaultBatch})
  --through-port      write the posts through the repository port even where a bulk load would be used`;

/** A mistake in the command line: shown with the usage, never with a stack. */
export class UsageError extends Error {}

export function parseOptions(args: string[], env: NodeJS.ProcessEnv = process.env): SeedOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        users: { type: 'string' },
        posts: { type: 'string' },
        'database-url': { type: 'string' },
        batch: { type: 'string', default: String(defaultBatch) },
        'through-port': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs explains some mistakes over several lines (`--posts -5`): one line here.
    throw new UsageError((error as Error).message.replaceAll('\n', ' '));
  }
  const users = whole('users', values.users, 0);
  const posts = whole('posts', values.posts, 0);
  if (posts > 0 && users === 0) throw new UsageError('--posts needs --users of at least 1 to write them');
  // As the service reads it: an empty DATABASE_URL is unset.
  const databaseUrl = values['database-url'] ?? (env.DATABASE_URL || settings.DATABASE_URL);
  try {
    databaseConfig(databaseUrl);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { users, posts, databaseUrl, batch: whole('batch', values.batch, 1), throughPort: values['through-port'] };
}

function whole(name: string, value: string | undefined, min: number): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, not '${value}'`);
  }
  return Number(value);
}
