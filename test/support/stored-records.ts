import { type AnyBulkWriteOperation, ObjectId } from 'mongodb';
import type { Store } from '../../src/domain/repositories';
import type { CommentDocument, FavoriteDocument, PostDocument } from '../../src/stores/mongo/collections';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { batches, insertStatement } from '../../src/stores/typeorm/bulk-inserts';
import { DirectStatements } from '../../src/stores/typeorm/direct-statements';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';

/**
 * Sets a record's stored updatedAt behind the service's back, as another
 * instance whose clock runs ahead (or behind) would have left it.
 */
export async function setStoredUpdatedAt(store: Store, kind: 'post' | 'user', id: string, updatedAt: Date): Promise<void> {
  if (store instanceof TypeOrmStore) {
    // Through the entity, so the instant is written in the driver's own datetime form.
    const { affected } = await store.dataSource
      .createQueryBuilder()
      .update(kind === 'post' ? 'Post' : 'User')
      .set({ updatedAt })
      .where('id = :id', { id: Number(id) })
      .execute();
    expect(affected).toBe(1);
  } else if (store instanceof MongoStore) {
    const { matchedCount } = await store.db.collection(kind === 'post' ? 'posts' : 'users').updateOne({ _id: new ObjectId(id) }, { $set: { updatedAt } });
    expect(matchedCount).toBe(1);
  } else {
    throw new Error('unknown store type');
  }
}

/** Every follow as the store holds it, `follower>followee`, read straight from the table or collection. */
export async function storedFollows(store: Store): Promise<string[]> {
  if (store instanceof TypeOrmStore) {
    const rows = (await store.dataSource.query('SELECT follower_id, followee_id FROM follows')) as { follower_id: unknown; followee_id: unknown }[];
    return rows.map((row) => `${String(row.follower_id)}>${String(row.followee_id)}`).sort();
  }
  if (store instanceof MongoStore) {
    const documents = await store.db.collection<{ _id: { follower: ObjectId; followee: ObjectId } }>('follows').find().toArray();
    return documents.map(({ _id }) => `${_id.follower.toHexString()}>${_id.followee.toHexString()}`).sort();
  }
  throw new Error('unknown store type');
}

/**
 * Makes each `[follower, followee]` follow: through the port on SQL stores; on MongoDB as the documents the
 * adapter writes, inserted at once, since FerretDB reads users by `$in` without an index, so that thousands
 * of follows through the port take minutes there.
 */
export async function seedFollows(store: Store, pairs: readonly [string, string][]): Promise<void> {
  if (store instanceof MongoStore) {
    const now = new Date();
    const documents = pairs.map(([follower, followee]) => ({ _id: { follower: new ObjectId(follower), followee: new ObjectId(followee) }, createdAt: now }));
    await store.db.collection<{ _id: { follower: ObjectId; followee: ObjectId }; createdAt: Date }>('follows').insertMany(documents);
    return;
  }
  for (let i = 0; i < pairs.length; i += 50) await Promise.all(pairs.slice(i, i + 50).map(([follower, followee]) => store.follows.follow(follower, followee)));
}

/** Every favorite as the store holds it, `user>post`, read straight from the table or collection. */
export async function storedFavorites(store: Store): Promise<string[]> {
  if (store instanceof TypeOrmStore) {
    const rows = (await store.dataSource.query('SELECT user_id, post_id FROM favorites')) as { user_id: unknown; post_id: unknown }[];
    return rows.map((row) => `${String(row.user_id)}>${String(row.post_id)}`).sort();
  }
  if (store instanceof MongoStore) {
    const documents = await store.db.collection<{ _id: { user: ObjectId; post: ObjectId } }>('favorites').find().toArray();
    return documents.map(({ _id }) => `${_id.user.toHexString()}>${_id.post.toHexString()}`).sort();
  }
  throw new Error('unknown store type');
}

/** One set of seeding statements per data source: PostgreSQL keeps each by a name that must not be reused. */
const seeders = new WeakMap<object, DirectStatements>();

function seedStatements(store: TypeOrmStore): DirectStatements {
  let statements = seeders.get(store.dataSource);
  if (statements === undefined) seeders.set(store.dataSource, (statements = new DirectStatements(store.dataSource, 'seed')));
  return statements;
}

/**
 * Makes each `[user, post]` favorite as the store holds it, many rows per statement or insertMany, bypassing
 * the port (thousands through it take minutes on FerretDB). On MongoDB each post's favoritesCount is raised
 * by the favorites added, as the adapter's steps would have left it.
 */
export async function seedFavorites(store: Store, pairs: readonly [string, string][]): Promise<void> {
  const now = new Date();
  if (store instanceof TypeOrmStore) {
    const statements = seedStatements(store);
    const rows = pairs.map(([user, post]) => ({ user_id: Number(user), post_id: Number(post), created_at: now }));
    for (const batch of batches(rows)) {
      const { sql, parameters } = insertStatement('favorites', batch);
      await statements.run(sql, parameters);
    }
    return;
  }
  if (store instanceof MongoStore) {
    const documents = pairs.map(([user, post]): FavoriteDocument => ({ _id: { user: new ObjectId(user), post: new ObjectId(post) }, createdAt: now }));
    for (let i = 0; i < documents.length; i += 1_000) await store.db.collection<FavoriteDocument>('favorites').insertMany(documents.slice(i, i + 1_000));
    const added = new Map<string, number>();
    for (const [, post] of pairs) added.set(post, (added.get(post) ?? 0) + 1);
    const counts: AnyBulkWriteOperation<PostDocument>[] = [...added].map(([post, by]) => ({ updateOne: { filter: { _id: new ObjectId(post) }, update: { $inc: { favoritesCount: by } } } }));
    if (counts.length > 0) await store.db.collection<PostDocument>('posts').bulkWrite(counts);
    return;
  }
  throw new Error('unknown store type');
}

/** Writes a comment by `authorId` on `postId` for each item, as the store holds them, many per statement or insertMany. */
export async function seedComments(store: Store, comments: readonly { postId: string; authorId: string }[]): Promise<void> {
  const now = new Date();
  if (store instanceof TypeOrmStore) {
    const statements = seedStatements(store);
    const rows = comments.map(({ postId, authorId }, i) => ({ post_id: Number(postId), author_id: Number(authorId), content: `Seeded ${i}`, created_at: now, updated_at: now }));
    for (const batch of batches(rows)) {
      const { sql, parameters } = insertStatement('comments', batch);
      await statements.run(sql, parameters);
    }
    return;
  }
  if (store instanceof MongoStore) {
    const posts = store.db.collection<PostDocument>('posts');
    const postIds = [...new Set(comments.map(({ postId }) => postId))].map((id) => new ObjectId(id));
    const authors = new Map((await posts.find({ _id: { $in: postIds } }, { projection: { authorId: 1 } }).toArray()).map(({ _id, authorId }) => [_id.toHexString(), authorId]));
    const documents = comments.map(({ postId, authorId }, i): CommentDocument => ({
      _id: new ObjectId(),
      postId: new ObjectId(postId),
      postAuthorId: authors.get(postId)!,
      authorId: new ObjectId(authorId),
      content: `Seeded ${i}`,
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < documents.length; i += 1_000) await store.db.collection<CommentDocument>('comments').insertMany(documents.slice(i, i + 1_000));
    return;
  }
  throw new Error('unknown store type');
}

/** Every comment as the store holds it, `author>post`, read straight from the table or collection. */
export async function storedComments(store: Store): Promise<string[]> {
  if (store instanceof TypeOrmStore) {
    const rows = (await store.dataSource.query('SELECT author_id, post_id FROM comments')) as { author_id: unknown; post_id: unknown }[];
    return rows.map((row) => `${String(row.author_id)}>${String(row.post_id)}`).sort();
  }
  if (store instanceof MongoStore) {
    const documents = await store.db.collection<CommentDocument>('comments').find({}, { projection: { authorId: 1, postId: 1 } }).toArray();
    return documents.map(({ authorId, postId }) => `${authorId.toHexString()}>${postId.toHexString()}`).sort();
  }
  throw new Error('unknown store type');
}

/**
 * Every link of a post to a tag as the store holds it, `post>tag`: rows of post_tags on SQL; on MongoDB the
 * tags are an array in the post's own document, so they go with it.
 */
export async function storedTagLinks(store: Store): Promise<string[]> {
  if (store instanceof TypeOrmStore) {
    const rows = (await store.dataSource.query('SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id')) as { post_id: unknown; name: string }[];
    return rows.map((row) => `${String(row.post_id)}>${row.name}`).sort();
  }
  if (store instanceof MongoStore) {
    const documents = await store.db.collection<PostDocument>('posts').find({}, { projection: { tags: 1 } }).toArray();
    return documents.flatMap(({ _id, tags }) => tags.map((tag) => `${_id.toHexString()}>${tag}`)).sort();
  }
  throw new Error('unknown store type');
}

/** MongoDB only: a post's favoritesCount as stored, before any read clamps it; null when the post is gone. */
export async function storedFavoritesCount(store: MongoStore, postId: string): Promise<number | null> {
  const document = await store.db.collection<PostDocument>('posts').findOne({ _id: new ObjectId(postId) }, { projection: { favoritesCount: 1 } });
  return document === null ? null : (document.favoritesCount ?? 0);
}
