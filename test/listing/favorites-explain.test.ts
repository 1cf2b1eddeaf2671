import { ObjectId } from 'mongodb';
import type { FavoriteQuery } from '../../src/domain/favorites';
import { type PostQuery, type PostSort, sortValue } from '../../src/domain/listing';
import type { Store } from '../../src/domain/repositories';
import { collections } from '../../src/stores/mongo/collections';
import { favoritePage as mongoFavoritePage } from '../../src/stores/mongo/mongo-favorite-repository';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { type StoredPostFilter, postPage as mongoPostPage } from '../../src/stores/mongo/post-queries';
import { dialectOf } from '../../src/stores/typeorm/dialect';
import { DirectStatements } from '../../src/stores/typeorm/direct-statements';
import { postPage as sqlPostPage } from '../../src/stores/typeorm/post-queries';
import { PostReads } from '../../src/stores/typeorm/post-reads';
import { favoritePage as sqlFavoritePage } from '../../src/stores/typeorm/typeorm-favorite-repository';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { describeEachStore } from '../support/each-store';
import { type PlanSummary, expectPlan, explainFind, explainSql, spreadPosts } from '../support/explain';
import { aUser } from '../support/factories';
import { cannotShow, itUnlessGap } from '../support/store-gaps';
import { insertRows } from '../support/sql-rows';

const userCount = 1_500;
const authorCount = 40;
const postCount = 9_000;
/** Users who favorite a few posts each, so that favorites is not a table small enough to read whole. */
const casualCount = 300;
const casualFavorites = 10;
/** The collector favorites every third post; the occasional reader only these few. */
const occasionalFavorites = 15;
const pageSize = 20;

interface Seed {
  collector: string;
  occasional: string;
}

/**
 * 9,000 posts by 40 authors, dates spread over four years, among 1,500 users. A collector who favorites every
 * third post, an occasional reader who favorites 15, and 300 users who favorite 10 each, every favorite at an
 * instant of its own. Rows written directly, many to a statement, then analysed.
 */
async function seed(store: Store): Promise<Seed> {
  await store.users.createMany(Array.from({ length: userCount }, () => aUser()));
  const users = (await store.users.find({ limit: userCount })).items.map(({ id }) => id);
  const [collector, occasional, authors, casuals] = [users[0], users[1], users.slice(2, 2 + authorCount), users.slice(2 + authorCount, 2 + authorCount + casualCount)];
  const posts = spreadPosts(postCount, authors);
  const start = Date.UTC(2025, 0, 1);
  /** Pairs of (user, index of the post in insertion order, instant). */
  const favorites: [string, number, Date][] = [
    ...Array.from({ length: postCount / 3 }, (_, k): [string, number, Date] => [collector, k * 3, new Date(start + ((k * 7_919) % (postCount / 3)) * 60_000)]),
    ...Array.from({ length: occasionalFavorites }, (_, k): [string, number, Date] => [occasional, (k * 197 + 1) % postCount, new Date(start + k * 60_000)]),
    ...casuals.flatMap((user, u) =>
      Array.from({ length: casualFavorites }, (_, k): [string, number, Date] => [user, (u * 31 + k * 293 + 2) % postCount, new Date(start + (u * casualFavorites + k) * 1_000)]),
    ),
  ];
  if (store instanceof TypeOrmStore) {
    const { dataSource } = store;
    const insert = (table: string, rows: Record<string, unknown>[]) => insertRows(dataSource, table, rows);
    await insert('posts', posts.map((post) => ({ ...post, authorId: Number(post.authorId) })));
    // Ids in insertion order: the rows were written in order, each statement's ids ascending.
    const ids: number[] = (await dataSource.query('SELECT id FROM posts ORDER BY id')).map(({ id }: { id: unknown }) => Number(id));
    await insert('favorites', favorites.map(([user, post, at]) => ({ userId: Number(user), postId: ids[post], createdAt: at })));
    const analyze = { sqlite: 'ANALYZE', postgres: 'ANALYZE users, posts, favorites', mysql: 'ANALYZE TABLE users, posts, favorites' };
    await dataSource.query(analyze[dialectOf(dataSource.options)]);
  } else if (store instanceof MongoStore) {
    const all = collections(store.db);
    const ids = posts.map(() => new ObjectId());
    await all.posts.insertMany(posts.map((post, i) => ({ _id: ids[i], ...post, authorId: new ObjectId(post.authorId), tags: [] })));
    await all.favorites.insertMany(favorites.map(([user, post, at]) => ({ _id: { user: new ObjectId(user), post: ids[post] }, createdAt: at })));
  } else {
    throw new Error('unknown store type');
  }
  return { collector, occasional };
}

interface FavoritesCase {
  kind: 'favorites';
  title: string;
  /** A page that starts after this many, by cursor. */
  from?: number;
}

interface FavoritedByCase {
  kind: 'favoritedBy';
  title: string;
  user: keyof Seed;
  sort: PostSort;
  /** The page that starts this many posts into the list, reached by cursor. */
  from?: number;
  /** The sort's own index, under its name in the SQL migrations and the MongoDB indexSpecs. */
  index: { sql: string; mongo: string };
  /**
   * The store may instead start from the user's favorites: each post by its key, then sort just those.
   * Planners choose that for a user of few favorites, and the sort's index for one of many.
   */
  fromTheFavorites?: boolean;
}

type AccessCase = FavoritesCase | FavoritedByCase;

const newest: PostSort = { field: 'publicationDate', direction: 'desc' };
const newestIndex = { sql: 'idx_posts_newest', mongo: 'newest_first' };
const cases: AccessCase[] = [
  { kind: 'favorites', title: "a user's favorites, most recently favorited first" },
  { kind: 'favorites', title: "a user's favorites, 500 deep by cursor", from: 500 },
  { kind: 'favoritedBy', title: 'the posts a user favorites, newest first (the default)', user: 'collector', sort: newest, index: newestIndex },
  { kind: 'favoritedBy', title: 'the posts a user favorites, newest first, 200 posts deep', user: 'collector', sort: newest, from: 200, index: newestIndex },
  { kind: 'favoritedBy', title: 'the posts a user favorites, titles ascending', user: 'collector', sort: { field: 'title', direction: 'asc' }, index: { sql: 'idx_posts_title', mongo: 'title' } },
  { kind: 'favoritedBy', title: 'the posts an occasional reader favorites (15 of them), newest first', user: 'occasional', sort: newest, index: newestIndex, fromTheFavorites: true },
];

/**
 * The statement or finds exactly as the store's adapter builds them. On MongoDB a favoritedBy list is two
 * finds, the user's favorites and then the posts: their reads go together into one summary.
 */
async function explainAccess(store: Store, access: AccessCase, seeded: Seed): Promise<PlanSummary> {
  if (access.kind === 'favorites') {
    const query: FavoriteQuery = { userId: seeded.collector, limit: pageSize };
    if (access.from !== undefined) {
      const last = (await store.favorites.favorites({ userId: seeded.collector, limit: access.from })).items.at(-1)!;
      query.after = { value: last.favoritedAt, id: last.post.id };
    }
    if (store instanceof TypeOrmStore) {
      const dialect = dialectOf(store.dataSource.options);
      const { sql, parameters } = sqlFavoritePage(dialect, store.favorites.postColumns, query)!;
      return explainSql(store.dataSource, dialect, new DirectStatements(store.dataSource, 'explain').statement(sql, parameters));
    }
    if (store instanceof MongoStore) {
      const { filter, sort } = mongoFavoritePage(query)!;
      return explainFind(collections(store.db).favorites.find(filter).sort(sort).limit(pageSize + 1));
    }
    throw new Error('unknown store type');
  }
  const query: PostQuery = { sort: access.sort, filter: { favoritedBy: seeded[access.user] }, limit: pageSize };
  if (access.from !== undefined) {
    const [first] = (await store.posts.find({ ...query, limit: 1, skip: access.from })).items;
    query.after = { value: sortValue(first, access.sort.field), id: first.id };
  }
  if (store instanceof TypeOrmStore) {
    const dialect = dialectOf(store.dataSource.options);
    const page = sqlPostPage(dialect, (name) => store.dataSource.driver.escape(name), query)!;
    return explainSql(store.dataSource, dialect, new PostReads(store.dataSource, 'Post').statement('posts', page));
  }
  if (store instanceof MongoStore) {
    const all = collections(store.db);
    // As MongoPostRepository reads a favoritedBy filter: the user's favorites first, then the posts among them.
    const held = all.favorites.find({ '_id.user': new ObjectId(seeded[access.user]) }, { projection: { _id: 1 } });
    const filter: StoredPostFilter = { ...query.filter, favoritedPostIds: (await held.clone().toArray()).map(({ _id }) => _id.post) };
    const page = mongoPostPage({ ...query, filter })!;
    const [favorites, posts] = [await explainFind(held), await explainFind(all.posts.find(page.filter).sort(page.sort).limit(pageSize + 1))];
    return { reads: [...favorites.reads, ...posts.reads], sorts: favorites.sorts || posts.sorts, plan: `${favorites.plan}\n${posts.plan}` };
  }
  throw new Error('unknown store type');
}

describeEachStore('favorite queries and their indexes', (context) => {
  const mongo = context.name === 'mongodb';
  const plans = new Map<AccessCase, PlanSummary>();

  // Seeded and explained once, before the harness empties the store for the first test.
  beforeAll(async () => {
    if (cannotShow(context.name, 'index use by list queries')) return;
    const seeded = await seed(context.store);
    for (const access of cases) plans.set(access, await explainAccess(context.store, access, seeded));
  }, 120_000);

  /** The primary key (user_id, post_id), whose name differs by store, or another index that holds both columns. */
  const favoritesKey = /^(pk_|primary$|sqlite_autoindex_favorites|idx_favorites_user_newest_first$|idx_favorites_post$)/;
  /** A post's primary key, by its name on each store. */
  const postKey = mongo ? /^_id_$/ : /^(pk_|primary$)/;

  for (const access of cases) {
    if (access.kind === 'favorites') {
      const expected = mongo ? 'user_newest_first' : 'idx_favorites_user_newest_first';
      const posts = mongo ? '' : ', each post by its primary key';
      const title = `when ${access.title} is explained, then it reads ${expected} within bounds${posts}, sorts nothing, and reads no table whole but the tag names`;
      itUnlessGap(context.name, 'index use by list queries', title, async () => {
        expectPlan(plans.get(access)!, ({ reads, sorts }) => {
          const favorites = mongo ? 'favorites' : 'f';
          expect(reads.filter((read) => read.table === favorites)).toEqual([{ table: favorites, index: expected, bounded: true }]);
          if (!mongo) expect(reads.filter((read) => read.table === 'p')).toEqual([{ table: 'p', index: expect.stringMatching(/^(pk_|primary$)/), bounded: true }]);
          expect(sorts).toBe(false);
          expect(reads.filter((read) => read.index === null && !/^t(_\d+)?$/.test(read.table))).toEqual([]);
        });
      });
      continue;
    }
    const expected = mongo ? access.index.mongo : access.index.sql;
    const favorites = mongo ? "reads the user's favorites by user_newest_first, then " : '';
    const probe = mongo ? '' : ", checking each post's favorite by a key of favorites";
    const alternative = access.fromTheFavorites ? ", or reads only the user's favorited posts, by their keys, and sorts just those" : '';
    const title = `when ${access.title} is explained, then it ${favorites}reads ${expected}${access.from === undefined ? '' : ' within bounds'}${probe} and sorts nothing${alternative}, and reads no table whole but the tag names`;
    itUnlessGap(context.name, 'index use by list queries', title, async () => {
      expectPlan(plans.get(access)!, ({ reads, sorts }) => {
        const posts = mongo ? 'posts' : 'post';
        const postReads = reads.filter((read) => read.table === posts);
        if (mongo) {
          expect(reads.filter((read) => read.table === 'favorites')).toEqual([{ table: 'favorites', index: 'user_newest_first', bounded: true }]);
        } else {
          expect(reads.filter((read) => read.table === 'fb')).toEqual([{ table: 'fb', index: expect.stringMatching(favoritesKey), bounded: true }]);
        }
        if (access.fromTheFavorites && postReads[0]?.index !== expected) {
          // Only the user's favorited posts are read, each by its key, so only they can be sorted.
          expect(postReads).toEqual([{ table: posts, index: expect.stringMatching(postKey), bounded: true }]);
        } else {
          // On MongoDB the `$in` of the favorited ids bounds the index's `_id` part.
          expect(postReads).toEqual([{ table: posts, index: expected, bounded: mongo || access.from !== undefined }]);
          expect(sorts).toBe(false);
        }
        expect(reads.filter((read) => read.index === null && !/^t(_\d+)?$/.test(read.table))).toEqual([]);
      });
    });
  }
});
