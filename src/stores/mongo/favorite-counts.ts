import type { AnyBulkWriteOperation, ObjectId } from 'mongodb';
import type { Collections, PostDocument } from './collections';

/** Posts recounted per step: one $in of their ids, read from the favorites' `post` index. */
const batchSize = 500;

/**
 * Sets every post's favoritesCount to the number of its favorites: one pass over the posts, and for each batch
 * of them one aggregate of their favorites (grouped by post in the store) and one bulk write of the counts that
 * differ; a post with none gets 0. For a store no request writes to meanwhile (a copy's finish): a favorite
 * made while it runs may be missed until the next recount.
 */
export async function recountFavorites({ posts, favorites }: Pick<Collections, 'posts' | 'favorites'>): Promise<void> {
  let batch: Pick<PostDocument, '_id' | 'favoritesCount'>[] = [];
  const recount = async () => {
    const counted = await favorites
      .aggregate<{ _id: ObjectId; count: number }>([
        { $match: { '_id.post': { $in: batch.map(({ _id }) => _id) } } },
        { $group: { _id: '$_id.post', count: { $sum: 1 } } },
      ])
      .toArray();
    const countOf = new Map(counted.map(({ _id, count }) => [_id.toHexString(), count]));
    const updates: AnyBulkWriteOperation<PostDocument>[] = batch.flatMap(({ _id, favoritesCount }) => {
      const count = countOf.get(_id.toHexString()) ?? 0;
      return favoritesCount === count ? [] : [{ updateOne: { filter: { _id }, update: { $set: { favoritesCount: count } } } }];
    });
    if (updates.length > 0) await posts.bulkWrite(updates, { ordered: false });
    batch = [];
  };
  for await (const post of posts.find({}, { projection: { _id: 1, favoritesCount: 1 }, batchSize })) {
    batch.push(post);
    if (batch.length === batchSize) await recount();
  }
  if (batch.length > 0) await recount();
}
