import { ObjectId } from 'mongodb';
import type { Store } from '../../src/domain/repositories';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
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
