import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { PasswordHasher } from '../../src/auth/passwords';
import { loadConfig } from '../../src/config';
import type { NewPost } from '../../src/domain/post';
import type { Store, UserRepository } from '../../src/domain/repositories';
import type { NewUser } from '../../src/domain/user';
import { openStore } from '../../src/stores/open-store';
import { TypeOrmBulkLoad } from '../../src/stores/typeorm/bulk-load';
import { seededEmail, seededPassword, seededPost, seededProfile } from './dataset';

export interface SeedCounts {
  users: number;
  posts: number;
}

/**
 * How the posts were written: by a bulk load, which makes the indexes and
 * foreign keys of the posts' tables after them (on an empty SQL database), or
 * through the repository port's createMany (anywhere else).
 */
export type SeedMode = 'bulk load' | 'port';

/** What was seeded, how, and how long the writes took (not opening the store, nor hashing the one password). */
export interface SeedSummary extends SeedCounts {
  seconds: number;
  mode: SeedMode;
}

/** Users or posts per createMany call: one transaction each on a SQL store. */
export const defaultBatch = 5_000;
/** While a server writes one batch, the next is made and sent: two cores, two batches. */
const writesInFlight = 2;

/**
 * Opens the store at `databaseUrl` as the service does on start (migrations
 * included), writes the first `counts.users` users and `counts.posts` posts
 * of the seeded dataset (dataset.ts) in bulk, and closes it. The users go
 * through the repository port's createMany; so do the posts, unless the
 * store is a SQL one without users or posts that can be bulk loaded (see
 * TypeOrmBulkLoad.open), where they are bulk loaded (stored the same, the
 * tables' indexes and foreign keys made once at the end) unless `bulkLoad`
 * is false. `progress` is told the
 * counts written so far after each batch. The users' password is hashed
 * once, at PASSWORD_HASH_COST as the service reads it.
 * @throws ConfigError for a bad URL or setting, StoreOpenError when the store cannot be opened,
 * ConflictError when a seeded user is there already.
 */
export async function seedStore(
  databaseUrl: string,
  counts: SeedCounts,
  progress?: (done: SeedCounts) => void,
  { batch = defaultBatch, bulkLoad = true }: { batch?: number; bulkLoad?: boolean } = {},
): Promise<SeedSummary> {
  if (counts.posts > 0 && counts.users === 0) throw new RangeError('posts need at least one user to write them');
  const { env } = process;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_CONNECT_TIMEOUT_MS: env.DATABASE_CONNECT_TIMEOUT_MS,
    PASSWORD_HASH_COST: env.PASSWORD_HASH_COST,
  });
  const store = await openStore(config.database);
  let storeOpen = true;
  const closeStore = async () => {
    if (storeOpen) await store.close();
    storeOpen = false;
  };
  let load: TypeOrmBulkLoad | null = null;
  try {
    const passwordHash = await new PasswordHasher(config.auth.passwordHashCost).hash(seededPassword);
    if (bulkLoad && counts.posts > 0 && config.database.kind !== 'mongodb' && (await isEmpty(store))) load = await TypeOrmBulkLoad.open(config.database);
    const started = performance.now();
    for (let from = 0; from < counts.users; from += batch) {
      const to = Math.min(counts.users, from + batch);
      await store.users.createMany(range(from, to).map((n): NewUser => ({ ...seededProfile(n), passwordHash })));
      progress?.({ users: to, posts: 0 });
    }
    const authorIds = await seededUserIds(store.users, counts.users);
    const post = (i: number): NewPost => {
      const { authorIndex, ...fields } = seededPost(i, counts.users);
      return { ...fields, authorId: authorIds[authorIndex] };
    };
    if (load !== null) {
      // The load works on connections of its own; on SQLite, it can leave WAL mode only if no other has the file open.
      await closeStore();
      await bulkLoadPosts(load, counts, post, batch, progress);
    } else {
      let next = 0;
      let written = 0;
      const writer = async () => {
        for (let from = next; from < counts.posts; from = next) {
          const to = Math.min(counts.posts, from + batch);
          next = to;
          const posts = range(from, to).map(post);
          await store.posts.createMany(posts);
          written += posts.length;
          progress?.({ users: counts.users, posts: written });
        }
      };
      await Promise.all(Array.from({ length: writesInFlight }, writer));
    }
    return { ...counts, seconds: (performance.now() - started) / 1000, mode: load === null ? 'port' : 'bulk load' };
  } finally {
    await load?.close();
    await closeStore();
  }
}

/** Whether the store holds no users and no posts: only then are the posts bulk loaded. */
async function isEmpty(store: Store): Promise<boolean> {
  return (await store.users.count()) === 0 && (await store.posts.count({})) === 0;
}

/**
 * The posts by a bulk load on a connection of its own: a batch is made while
 * the one before it is written (the load takes it once that one is done).
 */
async function bulkLoadPosts(
  load: TypeOrmBulkLoad,
  counts: SeedCounts,
  post: (i: number) => NewPost,
  batch: number,
  progress?: (done: SeedCounts) => void,
): Promise<void> {
  for (let from = 0; from < counts.posts; from += batch) {
    const to = Math.min(counts.posts, from + batch);
    // Made as the load takes them, a slice at a time.
    await load.posts(
      (function* () {
        for (let i = from; i < to; i += 1) yield post(i);
      })(),
    );
    // Told when the batch is taken, as the one before it is written by then.
    if (from > 0) progress?.({ users: counts.users, posts: from });
  }
  await load.finish();
  progress?.({ users: counts.users, posts: counts.posts });
}

/** The ids of seeded users 0 to `count` - 1, in that order, read back a page at a time. */
async function seededUserIds(users: UserRepository, count: number): Promise<string[]> {
  const byEmail = new Map(range(0, count).map((n) => [seededEmail(n), n]));
  const ids: string[] = new Array(count);
  let afterId: string | undefined;
  for (;;) {
    const { items, hasMore } = await users.find({ limit: 1_000, afterId });
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
