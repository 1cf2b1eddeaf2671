import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ObjectId } from 'mongodb';
import { type StoreKind, databaseConfig } from '../../src/config';
import type { PostQuery } from '../../src/domain/listing';
import type { Store } from '../../src/domain/repositories';
import { collections } from '../../src/stores/mongo/collections';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { openStore } from '../../src/stores/open-store';
import { dialectOf } from '../../src/stores/typeorm/dialect';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { createBenchDatabase } from './databases';

/** Timed runs a figure is the median of; FerretDB reads the whole collection each time, so it gets fewer. */
const samplesOf = (kind: StoreKind) => (kind === 'mongodb' ? 3 : 7);
/** A page may take seconds on FerretDB: no statement bound here, only a report. */
const statementTimeoutMs = 600_000;
const storeKinds: StoreKind[] = ['sqlite', 'postgres', 'mysql', 'mongodb'];
const pageSize = 20;
/** Users and posts written to the store per call. */
const batch = 1_000;

interface FeedOptions {
  stores: StoreKind[];
  /** Users who write the posts, besides the reader. */
  authors: number;
  /** How many of the authors the reader follows, ascending: each figure follows more of them. */
  followees: number[];
  postsPerAuthor: number;
  /** Posts before the deep page, which is read by cursor. */
  depth: number;
}

const usage = `usage: npm run bench:feed -- [options] [store ...]
  store ...                  stores to run, from ${storeKinds.join(', ')} (default: all)
  --authors N                users who write the posts, besides the reader (default 10000)
  --followees LIST           how many of them the reader follows, in ascending order, each at most --authors
                             (default 100,1000,10000)
  --posts-per-author N       posts each author writes (default 2)
  --depth N                  posts before the deep page, read by cursor; fewer than the fewest followees' posts
                             (default 100)`;

/** A bad option, told to the operator with the usage, not a stack. */
class UsageError extends Error {}

function parseOptions(args: string[]): FeedOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        authors: { type: 'string', default: '10000' },
        followees: { type: 'string', default: '100,1000,10000' },
        'posts-per-author': { type: 'string', default: '2' },
        depth: { type: 'string', default: '100' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const unknown = positionals.filter((store) => !storeKinds.includes(store as StoreKind));
  if (unknown.length > 0) throw new UsageError(`unknown store ${unknown.join(', ')}`);
  const authors = whole('authors', values.authors, 1);
  const followees = values.followees.split(',').map((count) => whole('followees', count.trim(), 1));
  if (followees.some((count, i) => count > authors || (i > 0 && count <= followees[i - 1]))) {
    throw new UsageError(`--followees must be ascending counts of at most --authors (${authors}), not '${values.followees}'`);
  }
  const postsPerAuthor = whole('posts-per-author', values['posts-per-author'], 1);
  const depth = whole('depth', values.depth, 1);
  if (depth >= followees[0] * postsPerAuthor) {
    throw new UsageError(`--depth must be fewer than the posts of the fewest followees (${followees[0] * postsPerAuthor}), not ${depth}`);
  }
  return { stores: positionals.length > 0 ? storeKinds.filter((kind) => positionals.includes(kind)) : storeKinds, authors, followees, postsPerAuthor, depth };
}

function whole(name: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, not '${value}'`);
  return Number(value);
}

/**
 * The feed's latency through the repository port (no HTTP), per store, for a reader following more and more
 * of the authors (by default 100, 1,000 and 10,000 of 10,000 who wrote 2 posts each): the median of 7 first
 * pages (3 on MongoDB), and as many deep pages by cursor (100 posts deep by default). A report for people; it
 * asserts nothing. See the usage for the options.
 */
async function main(): Promise<void> {
  let options: FeedOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench:feed: ${error.message}\n${usage}\n`);
    process.exit(2);
  }
  const { authors: authorCount, postsPerAuthor, depth } = options;
  const rows: string[] = [`| store | followees | first page, median ms | ${depth} posts deep, median ms |`, '|---|---|---|---|'];
  for (const kind of options.stores) {
    const database = await createBenchDatabase(kind);
    const store = await openStore(databaseConfig(database.url, undefined, statementTimeoutMs));
    try {
      log(kind, `seeding ${authorCount} authors and ${authorCount * postsPerAuthor} posts on ${database.via}`);
      const reader = (await store.users.create(user(0))).id;
      for (let start = 1; start <= authorCount; start += batch) {
        await store.users.createMany(Array.from({ length: Math.min(batch, authorCount - start + 1) }, (_, i) => user(start + i)));
      }
      const authors = (await store.users.find({ limit: authorCount + 1 })).items.map(({ id }) => id).filter((id) => id !== reader);
      for (let start = 0; start < authors.length; start += batch) {
        const chunk = authors.slice(start, start + batch);
        await store.posts.createMany(
          chunk.flatMap((authorId, i) =>
            Array.from({ length: postsPerAuthor }, (_, k) => ({
              authorId,
              title: `Post ${start + i}.${k}`,
              content: `Written by author ${start + i}`,
              // Spread, so that no author's posts cluster at either end of the list.
              publicationDate: new Date(Date.UTC(2020, 0, 1) + ((((start + i) * postsPerAuthor + k) * 7_919) % (authorCount * postsPerAuthor)) * 3_600_000),
            })),
          ),
        );
      }
      let followed = 0;
      for (const count of options.followees) {
        await follow(store, reader, authors.slice(followed, count));
        followed = count;
        const query: PostQuery = { sort: { field: 'publicationDate', direction: 'desc' }, filter: { followedBy: reader }, limit: pageSize };
        const first = await median(samplesOf(kind), () => store.posts.find(query));
        const [deep] = (await store.posts.find({ ...query, limit: 1, skip: depth })).items;
        const after = { value: deep.publicationDate, id: deep.id };
        const deeper = await median(samplesOf(kind), () => store.posts.find({ ...query, after }));
        log(kind, `${count} followees: first page ${first.toFixed(1)} ms, ${depth} deep ${deeper.toFixed(1)} ms`);
        rows.push(`| ${kind} | ${count.toLocaleString('en-US')} | ${first.toFixed(1)} | ${deeper.toFixed(1)} |`);
      }
    } finally {
      await store.close();
      await database.drop();
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

function user(n: number) {
  return { email: `feed${n}@example.com`, username: `feed_${n}`, displayName: `Author ${n}`, passwordHash: '$scrypt$ln=10,r=8,p=1$c2FsdA$bench' };
}

/** Follows written straight to the store, many to a statement: the port's one follow at a time would take minutes. */
async function follow(store: Store, reader: string, followees: string[]): Promise<void> {
  const at = new Date();
  if (store instanceof TypeOrmStore) {
    const { dataSource } = store;
    for (let start = 0; start < followees.length; start += 500) {
      const parameters: Record<string, unknown> = { reader: Number(reader), at };
      const rows = followees.slice(start, start + 500).map((id, i) => {
        parameters[`f${i}`] = Number(id);
        return `(:reader, :f${i}, :at)`;
      });
      await dataSource.query(...dataSource.driver.escapeQueryWithParameters(`INSERT INTO follows (follower_id, followee_id, created_at) VALUES ${rows.join(', ')}`, parameters));
    }
    const analyze = { sqlite: 'ANALYZE', postgres: 'ANALYZE users, posts, follows', mysql: 'ANALYZE TABLE users, posts, follows' };
    await dataSource.query(analyze[dialectOf(dataSource.options)]);
  } else if (store instanceof MongoStore) {
    const follower = new ObjectId(reader);
    await collections(store.db).follows.insertMany(followees.map((id) => ({ _id: { follower, followee: new ObjectId(id) }, createdAt: at })));
  }
}

/** The median time of `samples` runs, after one to warm. */
async function median(samples: number, run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(samples / 2)];
}

function log(scope: string, message: string): void {
  process.stderr.write(`[${scope}] ${message}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench:feed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
