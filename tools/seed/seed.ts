import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { PasswordHasher } from '../../src/auth/passwords';
import { loadConfig } from '../../src/config';
import type { NewPost } from '../../src/domain/post';
import type { Store } from '../../src/domain/repositories';
import type { NewUser } from '../../src/domain/user';
import { openStore } from '../../src/stores/open-store';
import { seededEmail, seededPassword, seededPost, seededProfile } from './dataset';

export interface SeedCounts {
  users: number;
  posts: number;
}

/** What was seeded, and how long the writes took (not opening the store, nor hashing the one password). */
export interface SeedSummary extends SeedCounts {
  seconds: number;
}

/** Users or posts per createMany call: one transaction each on a SQL store. */
export const defaultBatch = 5_000;
/** While a server writes one batch, the next is made and sent: two cores, two batches. */
const writesInFlight = 2;

/**
 * Opens the store at `databaseUrl` as the service does on start (migrations
 * included), writes the first `counts.users` users and `counts.posts` posts
 * of the seeded dataset (dataset.ts) in bulk, and closes it. `progress` is
 * told the counts written so far after each batch. The users' password is
 * hashed once, at PASSWORD_HASH_COST as the service reads it.
 * @throws ConfigError for a bad URL or setting, StoreOpenError when the store cannot be opened,
 * ConflictError when a seeded user is there already.
 */
export async function seedStore(
  databaseUrl: string,
  counts: SeedCounts,
  progress?: (done: SeedCounts) => void,
  { batch = defaultBatch }: { batch?: number } = {},
): Promise<SeedSummary> {
  if (counts.posts > 0 && counts.users === 0) throw new RangeError('posts need at least one user to write them');
  const { env } = process;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_CONNECT_TIMEOUT_MS: env.DATABASE_CONNECT_TIMEOUT_MS,
    PASSWORD_HASH_COST: env.PASSWORD_HASH_COST,
  });
  const store = await openStore(config.database);
  try {
    const passwordHash = await new PasswordHasher(config.auth.passwordHashCost).hash(seededPassword);
    const started = performance.now();
    for (let from = 0; from < counts.users; from += batch) {
      const to = Math.min(counts.users, from + batch);
      await store.users.createMany(range(from, to).map((n): NewUser => ({ ...seededProfile(n), passwordHash })));
      progress?.({ users: to, posts: 0 });
    }
    const authorIds = await seededUserIds(store, counts.users);
    let next = 0;
    let written = 0;
    const writer = async () => {
      for (let from = next; from < counts.posts; from = next) {
        const to = Math.min(counts.posts, from + batch);
        next = to;
        const posts = range(from, to).map((i): NewPost => {
          const { authorIndex, ...post } = seededPost(i, counts.users);
          return { ...post, authorId: authorIds[authorIndex] };
        });
        await store.posts.createMany(posts);
        written += posts.length;
        progress?.({ users: counts.users, posts: written });
      }
    };
    await Promise.all(Array.from({ length: writesInFlight }, writer));
    return { ...counts, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}

/** The ids of seeded users 0 to `count` - 1, in that order, read back a page at a time. */
async function seededUserIds(store: Store, count: number): Promise<string[]> {
  const byEmail = new Map(range(0, count).map((n) => [seededEmail(n), n]));
  const ids: string[] = new Array(count);
  let afterId: string | undefined;
  for (;;) {
    const { items, hasMore } = await store.users.find({ limit: 1_000, afterId });
    for (const user of items) {
      const n = byEmail.get(user.email);
      if (n !== undefined) ids[n] = user.id;
    }
    if (!hasMore) break;
    afterId = items.at(-1)!.id;
  }
  const missing = range(0, count).find((n) => ids[n] === undefined);
  if (missing !== undefined) throw new Error(`seeded user ${seededEmail(missing)} was not found after it was written`);
  return ids;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
