import type { Collection, Document, ObjectId } from 'mongodb';
import { databaseConfig } from '../../src/config';
import { openStore } from '../../src/stores/open-store';
import type { Collections } from '../../src/stores/mongo/collections';
import { collections } from '../../src/stores/mongo/collections';
import { inBatches } from '../../src/stores/mongo/in-batches';
import { MongoStore } from '../../src/stores/mongo/mongo-store';

/** What one run changed; a second run on a quiet store changes nothing. */
export interface RepairCounts {
  orphanFavorites: number;
  orphanFollows: number;
  orphanComments: number;
  postsChecked: number;
  countsFixed: number;
}

/** Documents read per step: one $in of ids per referenced collection, whatever the store's size. */
const batchSize = 500;

/**
 * Brings a store back to what its writes would have left without a crash between steps. SQL stores need
 * nothing: foreign keys with ON DELETE CASCADE keep favorites, follows and comments with their users and
 * posts, and favoritesCount is counted on every read. On MongoDB, which has neither, it removes the favorites,
 * follows and comments whose user or post is gone, then recounts every post's favoritesCount. Meant for a
 * quiet moment: a favorite made while it recounts may be counted twice or missed, which another run corrects.
 */
export async function repairStore(databaseUrl: string, say: (line: string) => void): Promise<RepairCounts> {
  const counts: RepairCounts = { orphanFavorites: 0, orphanFollows: 0, orphanComments: 0, postsChecked: 0, countsFixed: 0 };
  const store = await openStore(databaseConfig(databaseUrl));
  try {
    if (!(store instanceof MongoStore)) {
      say(`${store.kind}: foreign keys with ON DELETE CASCADE keep favorites, follows and comments with their users and posts, and favoritesCount is counted on every read: nothing to repair`);
      return counts;
    }
    const all = collections(store.db);
    const loose = (name: 'favorites' | 'follows' | 'comments') => all[name] as unknown as Collection<Document>;
    counts.orphanFavorites = await removeOrphans(all, loose('favorites'), ({ _id }) => [
      ['users', _id.user],
      ['posts', _id.post],
    ], say);
    counts.orphanFollows = await removeOrphans(all, loose('follows'), ({ _id }) => [
      ['users', _id.follower],
      ['users', _id.followee],
    ], say);
    counts.orphanComments = await removeOrphans(all, loose('comments'), ({ authorId, postId }) => [
      ['users', authorId],
      ['posts', postId],
    ], say);
    Object.assign(counts, await recountFavorites(all, say));
    return counts;
  } finally {
    await store.close();
  }
}

type Referenced = 'users' | 'posts';

/** Deletes, a batch at a time, the documents of `collection` that name a user or post that is gone. */
async function removeOrphans(
  all: Collections,
  collection: Collection<Document>,
  references: (document: Document) => [Referenced, ObjectId][],
  say: (line: string) => void,
): Promise<number> {
  let removed = 0;
  let checked = 0;
  // One pass of a cursor, a batch at a time: compound `_id`s are not compared with $gt, which FerretDB may not order.
  for await (const batch of inBatches(collection.find({}, { batchSize }), batchSize)) {
    const existing = { users: new Set<string>(), posts: new Set<string>() };
    for (const kind of ['users', 'posts'] as const) {
      const ids = [...new Map(batch.flatMap((document) => references(document).filter(([k]) => k === kind).map(([, id]) => [id.toHexString(), id] as const))).values()];
      if (ids.length === 0) continue;
      const found = await (all[kind] as unknown as Collection<Document>).find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray();
      for (const { _id } of found) existing[kind].add((_id as ObjectId).toHexString());
    }
    const orphans = batch.filter((document) => references(document).some(([kind, id]) => !existing[kind].has(id.toHexString())));
    if (orphans.length > 0) {
      const { deletedCount } = await collection.deleteMany({ _id: { $in: orphans.map(({ _id }) => _id) } });
      removed += deletedCount;
    }
    checked += batch.length;
    say(`${collection.collectionName}: ${checked} checked, ${removed} of a user or post that is gone removed`);
  }
  if (checked === 0) say(`${collection.collectionName}: none`);
  return removed;
}

/**
 * Sets each post's favoritesCount to the number of its favorites, a batch of posts at a time; only where it
 * differs, and only while the count is still the one read (a concurrent $inc wins, and a later run looks again).
 */
async function recountFavorites(all: Collections, say: (line: string) => void): Promise<Pick<RepairCounts, 'postsChecked' | 'countsFixed'>> {
  let postsChecked = 0;
  let countsFixed = 0;
  let after: ObjectId | undefined;
  for (;;) {
    const posts = await all.posts
      .find(after === undefined ? {} : { _id: { $gt: after } }, { projection: { _id: 1, favoritesCount: 1 } })
      .sort({ _id: 1 })
      .limit(batchSize)
      .toArray();
    if (posts.length === 0) break;
    after = posts.at(-1)!._id;
    const favorites = await all.favorites.find({ '_id.post': { $in: posts.map(({ _id }) => _id) } }, { projection: { _id: 1 } }).toArray();
    const counted = new Map<string, number>();
    for (const { _id } of favorites) counted.set(_id.post.toHexString(), (counted.get(_id.post.toHexString()) ?? 0) + 1);
    for (const post of posts) {
      const count = counted.get(post._id.toHexString()) ?? 0;
      if (post.favoritesCount === count) continue;
      const { modifiedCount } = await all.posts.updateOne({ _id: post._id, favoritesCount: post.favoritesCount ?? { $exists: false } }, { $set: { favoritesCount: count } });
      countsFixed += modifiedCount;
    }
    postsChecked += posts.length;
    say(`posts: ${postsChecked} recounted, ${countsFixed} favoritesCount corrected`);
  }
  if (postsChecked === 0) say('posts: none');
  return { postsChecked, countsFixed };
}
