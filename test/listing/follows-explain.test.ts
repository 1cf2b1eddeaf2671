import { ObjectId } from 'mongodb';
import type { FollowQuery } from '../../src/domain/follows';
import type { Store } from '../../src/domain/repositories';
import { collections } from '../../src/stores/mongo/collections';
import { followPage as mongoFollowPage } from '../../src/stores/mongo/mongo-follow-repository';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { dialectOf } from '../../src/stores/typeorm/dialect';
import { DirectStatements } from '../../src/stores/typeorm/direct-statements';
import { followPage as sqlFollowPage, followedAmongStatement } from '../../src/stores/typeorm/typeorm-follow-repository';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { describeEachStore } from '../support/each-store';
import { type PlanSummary, expectPlan, explainFind, explainSql } from '../support/explain';
import { aUser } from '../support/factories';
import { cannotShow, itUnlessGap } from '../support/store-gaps';

const userCount = 1_500;
const pageSize = 20;

/** Each index under its name in the SQL migration and in the MongoDB indexSpecs. */
const indexes = {
  followers: { sql: 'idx_follows_followers', mongo: 'followers_newest_first' },
  following: { sql: 'idx_follows_following', mongo: 'following_newest_first' },
};

interface Seed {
  star: string;
  others: string[];
}

/**
 * A star who follows, and is followed by, every other user, each at an instant of its own; and every other
 * user following the next three. Rows written directly, many to a statement, then analysed.
 */
async function seed(store: Store): Promise<Seed> {
  const star = (await store.users.create(aUser())).id;
  await store.users.createMany(Array.from({ length: userCount - 1 }, () => aUser()));
  const others = (await store.users.find({ limit: userCount + 1 })).items.map(({ id }) => id).filter((id) => id !== star);
  const start = Date.UTC(2025, 0, 1);
  const pairs = others.flatMap((other, i) => [
    [star, other, start + i * 60_000],
    [other, star, start + i * 60_000 + 1],
    ...[1, 2, 3].map((step) => [other, others[(i + step) % others.length], start + i * 1_000 + step]),
  ]) as [string, string, number][];
  if (store instanceof TypeOrmStore) {
    const { dataSource } = store;
    for (let i = 0; i < pairs.length; i += 500) {
      const parameters: Record<string, unknown> = {};
      const rows = pairs.slice(i, i + 500).map(([follower, followee, at], k) => {
        Object.assign(parameters, { [`a${k}`]: Number(follower), [`b${k}`]: Number(followee), [`c${k}`]: new Date(at) });
        return `(:a${k}, :b${k}, :c${k})`;
      });
      await dataSource.query(...dataSource.driver.escapeQueryWithParameters(`INSERT INTO follows (follower_id, followee_id, created_at) VALUES ${rows.join(', ')}`, parameters));
    }
    const analyze = { sqlite: 'ANALYZE', postgres: 'ANALYZE users, follows', mysql: 'ANALYZE TABLE users, follows' };
    await dataSource.query(analyze[dialectOf(dataSource.options)]);
  } else if (store instanceof MongoStore) {
    const documents = pairs.map(([follower, followee, at]) => ({ _id: { follower: new ObjectId(follower), followee: new ObjectId(followee) }, createdAt: new Date(at) }));
    await collections(store.db).follows.insertMany(documents);
  } else {
    throw new Error('unknown store type');
  }
  return { star, others };
}

type Access = 'followers' | 'following' | 'flags';

interface AccessCase {
  title: string;
  access: Access;
  /** A page that starts after this many, by cursor. */
  from?: number;
  /** The index the store must read the follows by. */
  index: { sql: string; mongo: string };
}

const cases: AccessCase[] = [
  { title: "a user's followers, newest first", access: 'followers', index: indexes.followers },
  { title: "a user's followers, 500 deep by cursor", access: 'followers', from: 500, index: indexes.followers },
  { title: 'the users a user follows, newest first', access: 'following', index: indexes.following },
  { title: 'the users a user follows, 500 deep by cursor', access: 'following', from: 500, index: indexes.following },
  { title: 'which of a page of users one follows', access: 'flags', index: { sql: 'primary', mongo: '_id_' } },
];

/** The statement or find exactly as the store's adapter builds it. */
async function explainAccess(store: Store, { access, from }: AccessCase, { star, others }: Seed): Promise<PlanSummary> {
  const query: FollowQuery = { userId: star, limit: pageSize };
  if (from !== undefined && access !== 'flags') {
    const [last] = (await store.follows[access]({ userId: star, limit: 1, after: undefined })).items;
    const deep = (await store.follows[access]({ userId: star, limit: from, after: { value: last.followedAt, id: last.user.id } })).items.at(-1)!;
    query.after = { value: deep.followedAt, id: deep.user.id };
  }
  const page = others.slice(100, 100 + pageSize);
  if (store instanceof TypeOrmStore) {
    const dialect = dialectOf(store.dataSource.options);
    const statements = new DirectStatements(store.dataSource, 'explain');
    if (access === 'flags') return explainSql(store.dataSource, dialect, statements.statement(followedAmongStatement, { follower: Number(star), ids: page.map(Number) }));
    const { sql, parameters } = sqlFollowPage(dialect, store.follows.userColumns, access, query)!;
    return explainSql(store.dataSource, dialect, statements.statement(sql, parameters));
  }
  if (store instanceof MongoStore) {
    const follows = collections(store.db).follows;
    if (access === 'flags') {
      const follower = new ObjectId(star);
      return explainFind(follows.find({ _id: { $in: page.map((id) => ({ follower, followee: new ObjectId(id) })) } }, { projection: { _id: 1 } }));
    }
    const { filter, sort } = mongoFollowPage(access === 'followers' ? 'followee' : 'follower', query)!;
    return explainFind(follows.find(filter).sort(sort).limit(pageSize + 1));
  }
  throw new Error('unknown store type');
}

describeEachStore('follow queries and their indexes', (context) => {
  /** The follows' alias in the SQL adapter's list statements; their table's name in its flags statement and on MongoDB. */
  const followsIn = (access: Access) => (context.name === 'mongodb' || access === 'flags' ? 'follows' : 'f');
  const plans = new Map<AccessCase, PlanSummary>();

  // Seeded and explained once, before the harness empties the store for the first test.
  beforeAll(async () => {
    if (cannotShow(context.name, 'index use by list queries')) return;
    const seeded = await seed(context.store);
    for (const accessCase of cases) plans.set(accessCase, await explainAccess(context.store, accessCase, seeded));
  }, 120_000);

  for (const accessCase of cases) {
    const expected = context.name === 'mongodb' ? accessCase.index.mongo : accessCase.index.sql;
    const title = `when ${accessCase.title} is explained, then it reads ${expected === 'primary' ? 'the primary key' : expected} within bounds, sorts nothing, and reads no table whole`;
    itUnlessGap(context.name, 'index use by list queries', title, async () => {
      expectPlan(plans.get(accessCase)!, ({ reads, sorts }) => {
        const follows = followsIn(accessCase.access);
        const followReads = reads.filter((read) => read.table === follows);
        if (expected === 'primary') {
          // The primary key's name differs by store: PK_… on PostgreSQL, PRIMARY on MariaDB, sqlite_autoindex_… on SQLite.
          expect(followReads).toEqual([{ table: follows, index: expect.stringMatching(/^(pk_|primary$|sqlite_autoindex_follows)/), bounded: true }]);
        } else {
          expect(followReads).toEqual([{ table: follows, index: expected, bounded: true }]);
        }
        expect(sorts).toBe(false);
        expect(reads.filter((read) => read.index === null)).toEqual([]);
      });
    });
  }
});
