import { ObjectId } from 'mongodb';
import type { CommentQuery } from '../../src/domain/comment';
import type { Store } from '../../src/domain/repositories';
import { collections } from '../../src/stores/mongo/collections';
import { commentPage as mongoCommentPage } from '../../src/stores/mongo/mongo-comment-repository';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { dialectOf } from '../../src/stores/typeorm/dialect';
import { DirectStatements } from '../../src/stores/typeorm/direct-statements';
import { commentPage as sqlCommentPage } from '../../src/stores/typeorm/typeorm-comment-repository';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { describeEachStore } from '../support/each-store';
import { type PlanSummary, expectPlan, explainFind, explainSql } from '../support/explain';
import { aUser } from '../support/factories';
import { cannotShow, itUnlessGap } from '../support/store-gaps';

const userCount = 2_000;
const postCount = 400;
/** Comments on each post but the busy one. */
const commentsPerPost = 10;
const busyPostComments = 1_500;
const pageSize = 20;

/** The index under its name in the SQL migration and in the MongoDB indexSpecs. */
const index = { sql: 'idx_comments_post_created', mongo: 'post_oldest_first' };

interface Seed {
  busyPost: string;
  quietPost: string;
}

/**
 * 400 posts with 10 comments each, and one busy post with 1,500, every comment at an instant of its own and
 * by one of 2,000 users, so that comments is no table small enough to read whole. Rows written directly, many
 * to a statement, then analysed.
 */
async function seed(store: Store): Promise<Seed> {
  await store.users.createMany(Array.from({ length: userCount }, () => aUser()));
  const users = (await store.users.find({ limit: userCount })).items.map(({ id }) => id);
  await store.posts.createMany(Array.from({ length: postCount }, (_, i) => ({ authorId: users[i % userCount], title: `Post ${i}`, content: `Content of post ${i}` })));
  const posts = (await store.posts.find({ sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: postCount })).items;
  const [busy, quiet] = [posts[0], posts[postCount / 2]];
  const start = Date.UTC(2025, 0, 1);
  const comments = [
    ...Array.from({ length: busyPostComments }, (_, i) => ({ post: busy, author: users[(i * 7) % userCount], at: start + ((i * 7_919) % busyPostComments) * 60_000 })),
    ...posts.slice(1).flatMap((post, p) => Array.from({ length: commentsPerPost }, (_, k) => ({ post, author: users[(p + k) % userCount], at: start + (p * commentsPerPost + k) * 1_000 }))),
  ].map(({ post, author, at }, i) => ({ postId: post.id, postAuthorId: post.authorId, authorId: author, content: `Comment ${i}`, createdAt: new Date(at), updatedAt: new Date(at) }));
  if (store instanceof TypeOrmStore) {
    const { dataSource } = store;
    for (let i = 0; i < comments.length; i += 500) {
      const parameters: Record<string, unknown> = {};
      const rows = comments.slice(i, i + 500).map(({ postId, authorId, content, createdAt, updatedAt }, k) => {
        Object.assign(parameters, { [`p${k}`]: Number(postId), [`a${k}`]: Number(authorId), [`c${k}`]: content, [`t${k}`]: createdAt, [`u${k}`]: updatedAt });
        return `(:p${k}, :a${k}, :c${k}, :t${k}, :u${k})`;
      });
      const insert = `INSERT INTO comments (post_id, author_id, content, created_at, updated_at) VALUES ${rows.join(', ')}`;
      await dataSource.query(...dataSource.driver.escapeQueryWithParameters(insert, parameters));
    }
    const analyze = { sqlite: 'ANALYZE', postgres: 'ANALYZE users, posts, comments', mysql: 'ANALYZE TABLE users, posts, comments' };
    await dataSource.query(analyze[dialectOf(dataSource.options)]);
  } else if (store instanceof MongoStore) {
    await collections(store.db).comments.insertMany(
      comments.map(({ postId, postAuthorId, authorId, ...comment }) => ({
        _id: new ObjectId(),
        postId: new ObjectId(postId),
        postAuthorId: new ObjectId(postAuthorId),
        authorId: new ObjectId(authorId),
        ...comment,
      })),
    );
  } else {
    throw new Error('unknown store type');
  }
  return { busyPost: busy.id, quietPost: quiet.id };
}

interface AccessCase {
  title: string;
  post: keyof Seed;
  /** A page that starts after this many, by cursor. */
  from?: number;
  order?: CommentQuery['order'];
}

const cases: AccessCase[] = [
  { title: "a busy post's comments, oldest first", post: 'busyPost' },
  { title: "a busy post's comments, 1,000 deep by cursor", post: 'busyPost', from: 1_000 },
  { title: "a post's few comments, oldest first", post: 'quietPost' },
  { title: "a busy post's comments, newest first", post: 'busyPost', order: 'newest' },
  { title: "a busy post's comments newest first, 1,000 deep by cursor", post: 'busyPost', from: 1_000, order: 'newest' },
];

/** The statement or find exactly as the store's adapter builds it. */
async function explainAccess(store: Store, { post, from, order }: AccessCase, seeded: Seed): Promise<PlanSummary> {
  const query: CommentQuery = { postId: seeded[post], limit: pageSize, order };
  if (from !== undefined) {
    const last = (await store.comments.find({ postId: seeded[post], limit: from, order }))!.items.at(-1)!;
    query.after = { value: last.createdAt, id: last.id };
  }
  if (store instanceof TypeOrmStore) {
    const dialect = dialectOf(store.dataSource.options);
    const { sql, parameters } = sqlCommentPage(dialect, store.comments.withAuthor, query)!;
    return explainSql(store.dataSource, dialect, new DirectStatements(store.dataSource, 'explain').statement(sql, parameters));
  }
  if (store instanceof MongoStore) {
    const { filter, sort } = mongoCommentPage(query)!;
    return explainFind(collections(store.db).comments.find(filter).sort(sort).limit(pageSize + 1));
  }
  throw new Error('unknown store type');
}

describeEachStore('comment queries and their indexes', (context) => {
  /** The comments' alias in the SQL adapter's statement; the collection's name on MongoDB. */
  const comments = context.name === 'mongodb' ? 'comments' : 'c';
  const plans = new Map<AccessCase, PlanSummary>();

  // Seeded and explained once, before the harness empties the store for the first test.
  beforeAll(async () => {
    if (cannotShow(context.name, 'index use by list queries')) return;
    const seeded = await seed(context.store);
    for (const accessCase of cases) plans.set(accessCase, await explainAccess(context.store, accessCase, seeded));
  }, 120_000);

  for (const accessCase of cases) {
    const expected = context.name === 'mongodb' ? index.mongo : index.sql;
    const title = `when ${accessCase.title} is explained, then it reads ${expected} within bounds, sorts nothing, and reads no table whole`;
    itUnlessGap(context.name, 'index use by list queries', title, async () => {
      expectPlan(plans.get(accessCase)!, ({ reads, sorts }) => {
        expect(reads.filter((read) => read.table === comments)).toEqual([{ table: comments, index: expected, bounded: true }]);
        expect(sorts).toBe(false);
        // Each comment's author by the users' primary key.
        expect(reads.filter((read) => read.index === null)).toEqual([]);
      });
    });
  }
});
