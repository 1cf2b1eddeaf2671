import { ObjectId } from 'mongodb';
import { type PostQuery, type PostSort, sortValue } from '../../src/domain/listing';
import type { Store } from '../../src/domain/repositories';
import { collections } from '../../src/stores/mongo/collections';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { postPage as mongoPostPage } from '../../src/stores/mongo/post-queries';
import { dialectOf } from '../../src/stores/typeorm/dialect';
import { postPage as sqlPostPage } from '../../src/stores/typeorm/post-queries';
import { PostReads } from '../../src/stores/typeorm/post-reads';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { describeEachStore } from '../support/each-store';
import { type PlanSummary, expectPlan, explainFind, explainSql, spreadPosts } from '../support/explain';
import { aUser } from '../support/factories';
import { cannotShow, itUnlessGap } from '../support/store-gaps';
import { insertRows } from '../support/sql-rows';

const authorCount = 40;
/** Users who follow authors, so that follows is not a table small enough to read whole. */
const followerCount = 160;
const followedByReader = 10;
const postCount = 3_000;
const pageSize = 20;

interface Seed {
  reader: string;
  authors: string[];
}

/**
 * 40 authors with 75 posts each, dates spread over four years; a reader who follows 10 of them, and 160
 * users who follow 10 each. Rows written directly, many to a statement, then analysed.
 */
async function seed(store: Store): Promise<Seed> {
  const reader = (await store.users.create(aUser())).id;
  await store.users.createMany(Array.from({ length: authorCount + followerCount }, () => aUser()));
  const others = (await store.users.find({ limit: 1 + authorCount + followerCount })).items.map(({ id }) => id).filter((id) => id !== reader);
  const [authors, followers] = [others.slice(0, authorCount), others.slice(authorCount)];
  const pairs: [string, string][] = [
    ...authors.slice(0, followedByReader).map((author): [string, string] => [reader, author]),
    ...followers.flatMap((follower, i) => Array.from({ length: 10 }, (_, k): [string, string] => [follower, authors[(i + k * 3) % authorCount]])),
  ];
  const posts = spreadPosts(postCount, authors);
  const followedAt = new Date(Date.UTC(2025, 0, 1));
  if (store instanceof TypeOrmStore) {
    const { dataSource } = store;
    const insert = (table: string, rows: Record<string, unknown>[]) => insertRows(dataSource, table, rows);
    await insert('posts', posts.map((post) => ({ ...post, authorId: Number(post.authorId) })));
    await insert('follows', pairs.map(([follower, followee]) => ({ followerId: Number(follower), followeeId: Number(followee), createdAt: followedAt })));
    const analyze = { sqlite: 'ANALYZE', postgres: 'ANALYZE users, posts, follows', mysql: 'ANALYZE TABLE users, posts, follows' };
    await dataSource.query(analyze[dialectOf(dataSource.options)]);
  } else if (store instanceof MongoStore) {
    const all = collections(store.db);
    await all.posts.insertMany(posts.map((post) => ({ _id: new ObjectId(), ...post, authorId: new ObjectId(post.authorId), tags: [] })));
    await all.follows.insertMany(pairs.map(([follower, followee]) => ({ _id: { follower: new ObjectId(follower), followee: new ObjectId(followee) }, createdAt: followedAt })));
  } else {
    throw new Error('unknown store type');
  }
  return { reader, authors };
}

interface FeedCase {
  title: string;
  sort: PostSort;
  /** The page that starts this many posts into the feed, reached by cursor. */
  from?: number;
  /** The sort's own index, and the per-author one, under their names in the SQL migrations and the MongoDB indexSpecs. */
  index: { sql: string; mongo: string };
  authorIndex: { sql: string; mongo: string };
  /** Whether MariaDB may judge reading each followee's posts and sorting them cheaper than walking the sort's index. */
  mariaDbPerFollowee?: boolean;
}

const newest: PostSort = { field: 'publicationDate', direction: 'desc' };
const newestIndexes = { index: { sql: 'idx_posts_newest', mongo: 'newest_first' }, authorIndex: { sql: 'idx_posts_author_newest', mongo: 'author_newest_first' } };
const cases: FeedCase[] = [
  { title: 'the feed, newest first (the default)', sort: newest, ...newestIndexes },
  // A quarter of the posts are the followees', so a page 200 deep walks some 900 entries of the date index.
  { title: 'the feed, newest first, 200 posts deep', sort: newest, from: 200, ...newestIndexes, mariaDbPerFollowee: true },
  {
    title: 'the feed, last created first',
    sort: { field: 'createdAt', direction: 'desc' },
    index: { sql: 'idx_posts_created', mongo: 'created' },
    authorIndex: { sql: 'idx_posts_author_created', mongo: 'author_created' },
  },
  {
    title: 'the feed, titles ascending',
    sort: { field: 'title', direction: 'asc' },
    index: { sql: 'idx_posts_title', mongo: 'title' },
    authorIndex: { sql: 'idx_posts_author_title', mongo: 'author_title' },
  },
];

/** The page query exactly as the store's adapter builds and runs it; on MongoDB with the followees it reads first. */
async function explainFeed(store: Store, { sort, from }: FeedCase, { reader }: Seed): Promise<PlanSummary> {
  const query: PostQuery = { sort, filter: { followedBy: reader }, limit: pageSize };
  if (from !== undefined) {
    const [first] = (await store.posts.find({ ...query, limit: 1, skip: from })).items;
    query.after = { value: sortValue(first, sort.field), id: first.id };
  }
  if (store instanceof TypeOrmStore) {
    const dialect = dialectOf(store.dataSource.options);
    const page = sqlPostPage(dialect, (name) => store.dataSource.driver.escape(name), query)!;
    return explainSql(store.dataSource, dialect, new PostReads(store.dataSource, 'Post').statement('posts', page));
  }
  if (store instanceof MongoStore) {
    const followees = (await store.follows.followeeIds(reader)).map((id) => new ObjectId(id));
    const page = mongoPostPage(query, undefined, followees)!;
    return explainFind(collections(store.db).posts.find(page.filter).sort(page.sort).limit(pageSize + 1));
  }
  throw new Error('unknown store type');
}

describeEachStore('feed queries and their indexes', (context) => {
  const plans = new Map<FeedCase, PlanSummary>();

  // Seeded and explained once, before the harness empties the store for the first test.
  beforeAll(async () => {
    if (cannotShow(context.name, 'index use by list queries')) return;
    const seeded = await seed(context.store);
    for (const feedCase of cases) plans.set(feedCase, await explainFeed(context.store, feedCase, seeded));
  }, 120_000);

  for (const feedCase of cases) {
    const mongo = context.name === 'mongodb';
    const expected = mongo ? feedCase.index.mongo : feedCase.index.sql;
    // MariaDB, which weighs the join order that stops at the limit (see data-source.ts), walks the sort's
    // index and checks each post's author by follows' primary key; deeper in this feed it may instead start
    // from the follower's follows, read each followee's posts by an author index (any, for the planner: they
    // all start with author_id) and sort just those. MongoDB may read each followee's range of the author's
    // index and merge them in order.
    const perFollowee = mongo || (context.name === 'mysql' && feedCase.mariaDbPerFollowee === true);
    const alternative = perFollowee ? `, or reads each followee's posts by an author index${mongo ? ' and merges them in order' : ' and sorts just those'}` : '';
    const follows = mongo ? '' : 'reads follows by an index bounded by the reader, ';
    const title = `when ${feedCase.title} is explained, then it ${follows}reads ${expected}${feedCase.from === undefined ? '' : ' within bounds'} and sorts nothing${alternative}, and reads no table whole but the tag names`;
    itUnlessGap(context.name, 'index use by list queries', title, async () => {
      expectPlan(plans.get(feedCase)!, ({ reads, sorts }) => {
        const posts = mongo ? 'posts' : 'post';
        const postReads = reads.filter((read) => read.table === posts);
        if (!mongo) {
          // The primary key (follower_id, followee_id), whose name differs by store; MariaDB is held to it (post-queries.ts).
          expect(reads.filter((read) => read.table === 'f')).toEqual([
            { table: 'f', index: expect.stringMatching(/^(pk_|primary$|sqlite_autoindex_follows)/), bounded: true },
          ]);
        }
        if (perFollowee && postReads[0]?.index !== expected) {
          expect(postReads).toEqual([{ table: posts, index: expect.stringMatching(mongo ? /^author_/ : /^idx_posts_author_/), bounded: true }]);
          if (mongo) expect(sorts).toBe(false);
        } else {
          expect(postReads).toEqual([{ table: posts, index: expected, bounded: mongo || feedCase.from !== undefined }]);
          expect(sorts).toBe(false);
        }
        // Nor is any table read whole but the tag names (alias t, as in explain.test.ts).
        expect(reads.filter((read) => read.index === null && !/^t(_\d+)?$/.test(read.table))).toEqual([]);
      });
    });
  }
});
