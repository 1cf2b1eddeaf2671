import type { Filter, ObjectId } from 'mongodb';
import { NotFoundError } from '../../domain/errors';
import type { FavoriteQuery, FavoritedPost } from '../../domain/favorites';
import type { Slice } from '../../domain/listing';
import type { FavoriteRepository } from '../../domain/repositories';
import type { Collections, FavoriteDocument, ReadBudget } from './collections';
import type { DocumentWrites } from './document-writes';
import { isDuplicateKey } from './mongo-errors';
import { parseObjectId } from './mongo-id';
import { toPost, withoutKeys } from './mongo-post-repository';

/**
 * A favorite is a document whose `_id` is the pair (user, post): its insert is the lock, so a user favorites
 * a post once even under races. The post's `favoritesCount` is kept without a transaction (FerretDB has
 * none), by ordered steps that count only what a write actually changed: +1 after an insert that was not a
 * duplicate, -1 after a delete that removed a document. A crash between a step and its count leaves the
 * count off by one until `npm run repair` recounts it; reads never show it below zero.
 */
export class MongoFavoriteRepository implements FavoriteRepository {
  constructor(
    private readonly collections: Collections,
    /** The count is a field of the post: its updates are queued with the post's other writes where the store needs it. */
    private readonly writes: DocumentWrites,
    private readonly budget: ReadBudget,
  ) {}

  /**
   * Insert, then count it on the post and read the user, at once: the count's update finds no post when it
   * is gone, and a post's delete removes its favorites after the post, so a favorite is either seen by that
   * delete or taken back here; the same for the user (user-reference.ts). Three commands, two round trips.
   */
  async favorite(userId: string, postId: string): Promise<void> {
    const [user, post] = [parseObjectId(userId), parseObjectId(postId)];
    if (post === null) throw new NotFoundError('post', postId);
    if (user === null) throw new NotFoundError('user', userId);
    const _id = { user, post };
    const inserted = await this.collections.favorites.insertOne({ _id, createdAt: new Date() }).then(
      () => true,
      (error: unknown) => {
        if (isDuplicateKey(error)) return false;
        throw error;
      },
    );
    const [counted, userFound] = await Promise.all([
      inserted ? this.count(post, 1) : true,
      this.collections.users.findOne({ _id: user }, { projection: { _id: 1 } }),
    ]);
    if (!counted) {
      // The post is gone: nothing was counted, and its delete may have removed the favorite already.
      await this.collections.favorites.deleteOne({ _id });
      throw new NotFoundError('post', postId);
    }
    if (userFound === null) {
      // The user is gone: take the favorite back, uncounting it only if this delete removed it.
      const { deletedCount } = await this.collections.favorites.deleteOne({ _id });
      if (deletedCount > 0) await this.count(post, -1);
      throw new NotFoundError('user', userId);
    }
  }

  /** Delete, then uncount what the delete removed: two commands; the post is read only when nothing was removed. */
  async unfavorite(userId: string, postId: string): Promise<void> {
    const [user, post] = [parseObjectId(userId), parseObjectId(postId)];
    if (post === null) throw new NotFoundError('post', postId);
    const { deletedCount } = user === null ? { deletedCount: 0 } : await this.collections.favorites.deleteOne({ _id: { user, post } });
    if (deletedCount > 0) {
      await this.count(post, -1);
      return;
    }
    if ((await this.collections.posts.findOne({ _id: post }, { projection: { _id: 1 }, ...this.budget })) === null) throw new NotFoundError('post', postId);
  }

  /**
   * Two commands, whatever the page's length: the page of favorites from the user's index, then its posts
   * by `_id` (FerretDB has no $lookup). A favorite whose post has just been deleted is left out.
   */
  async favorites({ userId, limit, after }: FavoriteQuery): Promise<Slice<FavoritedPost>> {
    const query = favoritePage({ userId, limit, after });
    if (query === null) return { items: [], hasMore: false };
    const favorites = await this.collections.favorites
      .find(query.filter, this.budget)
      .sort(query.sort)
      .limit(limit + 1)
      .toArray();
    const page = favorites.slice(0, limit);
    const ids = page.map(({ _id }) => _id.post);
    const posts = ids.length === 0 ? [] : await this.collections.posts.find({ _id: { $in: ids } }, { projection: withoutKeys, ...this.budget }).toArray();
    const byId = new Map(posts.map((post) => [post._id.toHexString(), post]));
    const items = page.flatMap(({ _id, createdAt }) => {
      const post = byId.get(_id.post.toHexString());
      return post === undefined ? [] : [{ post: toPost(post), favoritedAt: createdAt }];
    });
    return { items, hasMore: favorites.length > limit };
  }

  /** One find of the pairs by `_id`, whatever the number of ids. */
  async favoritedAmong(userId: string, postIds: readonly string[]): Promise<Set<string>> {
    const user = parseObjectId(userId);
    const ids = [...new Set(postIds)].map(parseObjectId).filter((id) => id !== null);
    if (user === null || ids.length === 0) return new Set();
    const found = await this.collections.favorites
      .find({ _id: { $in: ids.map((post) => ({ user, post })) } }, { projection: { _id: 1 }, ...this.budget })
      .toArray();
    return new Set(found.map(({ _id }) => _id.post.toHexString()));
  }

  /** Adds `by` to the post's count; false when no post has the id. Neither version nor updatedAt moves: a favorite is no edit. */
  private async count(post: ObjectId, by: 1 | -1): Promise<boolean> {
    const { matchedCount } = await this.writes.run(post, () => this.collections.posts.updateOne({ _id: post }, { $inc: { favoritesCount: by } }));
    return matchedCount > 0;
  }
}

/** Newest favorite first, then by the post's id, descending: the key of the index `user_newest_first` after its user. */
const newestFavoriteFirst = { createdAt: -1, '_id.post': -1 } as const;

/**
 * The filter and order of a page of a user's favorites: after the position, newest first, then by the
 * post's id, descending: a range of the user's index. Null when an id names no possible document.
 */
export function favoritePage({ userId, after }: FavoriteQuery): { filter: Filter<FavoriteDocument>; sort: typeof newestFavoriteFirst } | null {
  const id = parseObjectId(userId);
  const afterId = after === undefined ? undefined : parseObjectId(after.id);
  if (id === null || afterId === null) return null;
  const filter: Filter<FavoriteDocument> = { '_id.user': id };
  if (after !== undefined) filter.$or = [{ createdAt: { $lt: after.value } }, { createdAt: after.value, '_id.post': { $lt: afterId } }];
  return { filter, sort: newestFavoriteFirst };
}

/**
 * Removes the favorites of `user` one by one and uncounts, in one update, the posts whose favorite a delete
 * here actually removed (a concurrent unfavorite uncounts the others). Each post appears once per user.
 */
export async function removeFavoritesOf(collections: Collections, user: ObjectId): Promise<void> {
  const held = await collections.favorites.find({ '_id.user': user }, { projection: { _id: 1 } }).toArray();
  const removed: ObjectId[] = [];
  for (let i = 0; i < held.length; i += 100) {
    const batch = held.slice(i, i + 100);
    const outcomes = await Promise.all(batch.map(({ _id }) => collections.favorites.deleteOne({ _id })));
    outcomes.forEach(({ deletedCount }, j) => deletedCount > 0 && removed.push(batch[j]._id.post));
  }
  for (let i = 0; i < removed.length; i += 1000) {
    await collections.posts.updateMany({ _id: { $in: removed.slice(i, i + 1000) } }, { $inc: { favoritesCount: -1 } });
  }
}
