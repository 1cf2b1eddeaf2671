import { ObjectId } from 'mongodb';
import { type PostFilter, type PostQuery, type PostSort, type PostSortField, sortValue } from '../../src/domain/listing';
import type { Store } from '../../src/domain/repositories';
import { foldCase } from '../../src/domain/search';
import { collections } from '../../src/stores/mongo/collections';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { postPage as mongoPostPage } from '../../src/stores/mongo/post-queries';
import { dialectOf } from '../../src/stores/typeorm/dialect';
import { postPage as sqlPostPage } from '../../src/stores/typeorm/post-queries';
import { PostReads } from '../../src/stores/typeorm/post-reads';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { describeEachStore } from '../support/each-store';
import { type PlanSummary, expectPlan, explainFind, explainSql } from '../support/explain';
import { aUser } from '../support/factories';
import { cannotShow, itUnlessGap } from '../support/store-gaps';

/** Each index under its name in the SQL migrations and in the MongoDB indexSpecs. */
const indexes = {
  newest: { sql: 'IDX_posts_newest', mongo: 'newest_first' },
  authorNewest: { sql: 'IDX_posts_author_newest', mongo: 'author_newest_first' },
  created: { sql: 'IDX_posts_created', mongo: 'created' },
  authorCreated: { sql: 'IDX_posts_author_created', mongo: 'author_created' },
  title: { sql: 'IDX_posts_title', mongo: 'title' },
  authorTitle: { sql: 'IDX_posts_author_title', mongo: 'author_title' },
  /** SQL reads posts by date and checks each one's tags; MongoDB has a multikey index on (tags, date). */
  tagNewest: { sql: 'IDX_posts_newest', mongo: 'tag_newest_first' },
} as const;

type SortName = PostSortField | `-${PostSortField}`;

interface Seed {
  authors: string[];
}

interface ListCase {
  list: string;
  sort: SortName;
  filter?: (seed: Seed) => PostFilter;
  /** The page that starts this many posts into the list, reached by cursor. */
  from?: number;
  /** Whether SQL stores read the index within bounds; by default, when there is a filter or a cursor (MongoDB: always then). */
  sqlBounded?: boolean;
  /**
   * A SQL store may instead start from the tag: its posts through post_tags' tag index, each post by its
   * primary key, then sort just those. Planners choose that for a rare tag, and the index walk for a common one.
   */
  fromTheTag?: boolean;
  index: (typeof indexes)[keyof typeof indexes];
}

/** The prolific author (see seededPost). */
const byAuthor = ({ authors }: Seed): PostFilter => ({ authorId: authors[0] });
const published2016 = (): PostFilter => ({ publishedAfter: new Date('2016-01-01T00:00:00.000Z'), publishedBefore: new Date('2017-01-01T00:00:00.000Z') });
const publishedSince2018 = (): PostFilter => ({ publishedAfter: new Date('2018-06-01T00:00:00.000Z') });

/** The lists the API serves; one line per list. */
const cases: ListCase[] = [
  { list: 'all posts, newest first (the default)', sort: '-publicationDate', index: indexes.newest },
  { list: 'all posts, oldest first', sort: 'publicationDate', index: indexes.newest },
  { list: 'all posts, last created first', sort: '-createdAt', index: indexes.created },
  { list: 'all posts, first created first', sort: 'createdAt', index: indexes.created },
  { list: 'all posts, titles descending', sort: '-title', index: indexes.title },
  { list: 'all posts, titles ascending', sort: 'title', index: indexes.title },
  { list: 'all posts, newest first, 2,000 posts deep', sort: '-publicationDate', from: 2_000, index: indexes.newest },
  { list: 'all posts, oldest first, 2,000 posts deep', sort: 'publicationDate', from: 2_000, index: indexes.newest },
  { list: 'all posts, last created first, 2,000 posts deep', sort: '-createdAt', from: 2_000, index: indexes.created },
  { list: 'all posts, titles descending, 2,000 posts deep', sort: '-title', from: 2_000, index: indexes.title },
  { list: 'all posts, titles ascending, 2,000 posts deep', sort: 'title', from: 2_000, index: indexes.title },
  { list: "one author's posts, newest first", sort: '-publicationDate', filter: byAuthor, index: indexes.authorNewest },
  { list: "one author's posts, first created first", sort: 'createdAt', filter: byAuthor, index: indexes.authorCreated },
  { list: "one author's posts, titles ascending", sort: 'title', filter: byAuthor, index: indexes.authorTitle },
  { list: "one author's posts, titles descending", sort: '-title', filter: byAuthor, index: indexes.authorTitle },
  { list: "one author's posts, titles ascending, 100 posts deep", sort: 'title', filter: byAuthor, from: 100, index: indexes.authorTitle },
  { list: 'posts published in 2016, newest first', sort: '-publicationDate', filter: published2016, index: indexes.newest },
  { list: 'posts published since June 2018, oldest first', sort: 'publicationDate', filter: publishedSince2018, index: indexes.newest },
  { list: "one author's posts published in 2016, newest first", sort: '-publicationDate', filter: (seed) => ({ ...byAuthor(seed), ...published2016() }), index: indexes.authorNewest },
  // A tag cannot bound the posts' index on SQL: the sort's index is read in order and each post checked by
  // post_tags' primary key. A search bounds nothing anywhere: no store has a substring index the others have.
  { list: 'posts with one tag, newest first', sort: '-publicationDate', filter: () => ({ tags: [tagNames[3]] }), index: indexes.tagNewest, sqlBounded: false, fromTheTag: true },
  { list: 'posts containing a text, titles ascending', sort: 'title', filter: () => ({ q: 'post 1' }), index: indexes.title, sqlBounded: false },
];

/** For asking a case's filter what kind it is, before any data exists. */
const noSeed: Seed = { authors: [''] };

const authorCount = 20;
const postCount = 3_000;
const tagCount = 200;
const pageSize = 20;
const day = 24 * 60 * 60 * 1000;

/** Zero-padded, so that code-point order is number order. */
const tagNames = Array.from({ length: tagCount }, (_, k) => `tag-${String(k).padStart(3, '0')}`);

/** About three tags a post, by the same rule on every store (SQL ids stand in for the numbers). */
const carriesTag = (post: number, tag: number) => (post + tag * 7) % 67 === 0;

/**
 * Enough posts that every planner prefers an index to reading the table, the
 * same on every run: publication dates spread over four years in pairs (so
 * that ids break ties), creation times and titles in orders of their own.
 * One prolific author has a third of the posts, the others share the rest:
 * where a filter leaves a few dozen rows, PostgreSQL rightly prefers sorting
 * them to reading them in index order, so the author's lists are the long ones.
 */
function seededPost(i: number, authors: string[]) {
  const createdAt = new Date(Date.UTC(2024, 0, 1) + ((i * 104_729) % postCount) * 60_000);
  const title = `${['Notes', 'On', 'Why', 'Émile', 'zebra', 'A'][i % 6]} ${(i * 7_919) % 997}`;
  const content = `Content of post ${i}`;
  return {
    authorId: i % 3 === 0 ? authors[0] : authors[1 + (i % (authorCount - 1))],
    title,
    titleKey: foldCase(title),
    content,
    contentKey: foldCase(content),
    publicationDate: new Date(Date.UTC(2015, 0, 1) + Math.floor(((i * 7_919) % postCount) / 2) * day),
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
}

/** Rows written directly, many to a statement: the adapter's one post a transaction would take most of the time budget. */
async function seed(store: Store): Promise<Seed> {
  const authors: string[] = [];
  for (let i = 0; i < authorCount; i += 1) authors.push((await store.users.create(aUser())).id);
  const posts = Array.from({ length: postCount }, (_, i) => seededPost(i, authors));
  if (store instanceof TypeOrmStore) {
    const { dataSource } = store;
    // Built here rather than by TypeORM's insert builder, which takes most of a second over 3,000 rows.
    const fields = Object.keys(posts[0]);
    const columns = fields.map((field) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
    const parameters: Record<string, unknown> = {};
    const rows = posts.map((post, i) => {
      const values: Record<string, unknown> = { ...post, authorId: Number(post.authorId) };
      for (const field of fields) parameters[`${field}${i}`] = values[field];
      return `(${fields.map((field) => `:${field}${i}`).join(', ')})`;
    });
    const insert = `INSERT INTO posts (${columns.join(', ')}) VALUES ${rows.join(', ')}`;
    await dataSource.query(...dataSource.driver.escapeQueryWithParameters(insert, parameters));
    await dataSource.query(`INSERT INTO tags (name) VALUES ${tagNames.map((name) => `('${name}')`).join(', ')}`);
    await dataSource.query('INSERT INTO post_tags (post_id, tag_id) SELECT p.id, t.id FROM posts p, tags t WHERE (p.id + t.id * 7) % 67 = 0');
    const analyze = { sqlite: 'ANALYZE', postgres: 'ANALYZE posts, tags, post_tags', mysql: 'ANALYZE TABLE posts, tags, post_tags' };
    await dataSource.query(analyze[dialectOf(dataSource.options)]);
  } else if (store instanceof MongoStore) {
    const documents = posts.map((post, i) => ({
      _id: new ObjectId(),
      ...post,
      authorId: new ObjectId(post.authorId),
      tags: tagNames.filter((_name, k) => carriesTag(i, k)),
    }));
    await collections(store.db).posts.insertMany(documents);
  } else {
    throw new Error('unknown store type');
  }
  return { authors };
}

/** The plan of the page query exactly as the store's adapter builds and runs it. */
async function explainPage(store: Store, query: PostQuery): Promise<PlanSummary> {
  if (store instanceof TypeOrmStore) {
    const dialect = dialectOf(store.dataSource.options);
    const page = sqlPostPage(dialect, (name) => store.dataSource.driver.escape(name), query)!;
    return explainSql(store.dataSource, dialect, new PostReads(store.dataSource, 'Post').statement('posts', page));
  }
  if (store instanceof MongoStore) {
    const page = mongoPostPage(query)!;
    return explainFind(collections(store.db).posts.find(page.filter).sort(page.sort).limit(query.limit + 1));
  }
  throw new Error('unknown store type');
}

/** The page a case asks for; a deep page starts after the post the store itself lists `from` posts in. */
async function pageQuery(store: Store, { sort, filter, from }: ListCase, seeded: Seed): Promise<PostQuery> {
  const query: PostQuery = { sort: parseSort(sort), filter: filter?.(seeded) ?? {}, limit: pageSize };
  if (from === undefined) return query;
  const [first] = (await store.posts.find({ ...query, limit: 1, skip: from })).items;
  return { ...query, after: { value: sortValue(first, query.sort.field), id: first.id } };
}

function parseSort(name: SortName): PostSort {
  return { field: name.replace(/^-/, '') as PostSortField, direction: name.startsWith('-') ? 'desc' : 'asc' };
}

describeEachStore('list queries and their indexes', (context) => {
  /** The posts' alias in the SQL adapter's statements; the collection's name on MongoDB. */
  const posts = context.name === 'mongodb' ? 'posts' : 'post';
  const plans = new Map<ListCase, PlanSummary>();

  // Seeded and explained once, before the harness empties the store for the first test.
  beforeAll(async () => {
    if (cannotShow(context.name, 'index use by list queries')) return;
    const seeded = await seed(context.store);
    for (const listCase of cases) plans.set(listCase, await explainPage(context.store, await pageQuery(context.store, listCase, seeded)));
  });

  for (const listCase of cases) {
    const expected = context.name === 'mongodb' ? listCase.index.mongo : listCase.index.sql.toLowerCase();
    // A first page with neither filter nor cursor reads its index from one end and stops at the limit;
    // any filter or cursor must bound the range the index is read in.
    const filtered = listCase.filter !== undefined || listCase.from !== undefined;
    const bounded = context.name === 'mongodb' ? filtered && listCase.filter?.(noSeed).q === undefined : (listCase.sqlBounded ?? filtered);
    const plan = `reads ${expected}${bounded ? ' within bounds' : ' from one end'} and sorts nothing`;
    const alternative = listCase.fromTheTag && context.name !== 'mongodb' ? ", or reads only the tag's posts, by their keys, and sorts just those" : '';
    const wholeTables = ', and reads no other table whole but the tag names';
    const title = `when ${listCase.list} is explained, then it ${plan}${alternative}${wholeTables}`;
    itUnlessGap(context.name, 'index use by list queries', title, async () => {
      expectPlan(plans.get(listCase)!, ({ reads, sorts }) => {
        const postReads = reads.filter((read) => read.table === posts);
        if (listCase.fromTheTag && context.name !== 'mongodb' && postReads[0]?.index !== expected) {
          // Only the tag's posts are read, each by its key, so only they can be sorted.
          expect(postReads).toEqual([{ table: posts, index: expect.stringMatching(/^(pk_|primary$|sqlite_autoindex)/), bounded: true }]);
          expect(reads).toContainEqual({ table: 'pt', index: 'idx_post_tags_tag', bounded: true });
        } else {
          expect(postReads).toEqual([{ table: posts, index: expected, bounded }]);
          expect(sorts).toBe(false);
        }
        // Nor is any other table read whole, but for the tag names (alias t, which PostgreSQL calls t_1 where the
        // statement names tags twice): with 200 tags, or 1,000, PostgreSQL 15 costs hashing the whole small
        // table below a look-up of each post's few tags.
        expect(reads.filter((read) => read.index === null && !/^t(_\d+)?$/.test(read.table))).toEqual([]);
      });
    });
  }
});
