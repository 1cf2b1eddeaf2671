import type { Filter, ObjectId, Sort } from 'mongodb';
import { NotFoundError } from '../../domain/errors';
import { type FollowQuery, type FollowedUser, refuseSelfFollow } from '../../domain/follows';
import type { Slice } from '../../domain/listing';
import type { FollowRepository } from '../../domain/repositories';
import type { Collections, FollowDocument, ReadBudget } from './collections';
import { isDuplicateKey } from './mongo-errors';
import { parseObjectId } from './mongo-id';
import { toUser } from './user-copies';
import { insertForUsers } from './user-reference';

/** Which end of a follow a list is read by: `followee` for a user's followers. */
export type Side = 'follower' | 'followee';

/**
 * A follow is a document whose `_id` is the pair: its insert is the lock, so a
 * user follows another once even under races, on FerretDB too (a duplicate
 * insert is refused with 11000 there as well), and a duplicate means "already
 * there". No transaction is needed, and none is used.
 */
export class MongoFollowRepository implements FollowRepository {
  constructor(
    private readonly collections: Collections,
    private readonly budget: ReadBudget,
  ) {}

  /**
   * Insert, then read both users, and take the follow back if either is gone (user-reference.ts): a user's
   * delete removes their follows after the user, so a follow is either seen by that delete or taken back here.
   * Reading the followee first would leave a follow written after the delete's cleanup. Two commands.
   */
  async follow(followerId: string, followeeId: string): Promise<void> {
    refuseSelfFollow(followerId, followeeId);
    const [follower, followee] = [parseObjectId(followerId), parseObjectId(followeeId)];
    if (follower === null) throw new NotFoundError('user', followerId);
    if (followee === null) throw new NotFoundError('user', followeeId);
    const _id = { follower, followee };
    const gone = await insertForUsers(
      this.collections,
      // The followee first: when both are gone, the one the request named is the one to name.
      [followee, follower],
      () => this.collections.follows.insertOne({ _id, createdAt: new Date() }).catch(alreadyThere),
      () => this.collections.follows.deleteOne({ _id }),
    );
    if (gone !== null) throw new NotFoundError('user', gone.equals(followee) ? followeeId : followerId);
  }

  async unfollow(followerId: string, followeeId: string): Promise<void> {
    refuseSelfFollow(followerId, followeeId);
    const [follower, followee] = [parseObjectId(followerId), parseObjectId(followeeId)];
    if (followee === null) throw new NotFoundError('user', followeeId);
    if (follower === null) return;
    const { deletedCount } = await this.collections.follows.deleteOne({ _id: { follower, followee } });
    // Nothing removed: not followed (fine), or no such user (404); only then is the user read.
    if (deletedCount === 0 && (await this.collections.users.findOne({ _id: followee }, { projection: { _id: 1 }, ...this.budget })) === null) {
      throw new NotFoundError('user', followeeId);
    }
  }

  followers(query: FollowQuery): Promise<Slice<FollowedUser>> {
    return this.page('followee', query);
  }

  following(query: FollowQuery): Promise<Slice<FollowedUser>> {
    return this.page('follower', query);
  }

  /** One find of the pairs by `_id`, whatever the number of ids. */
  async followedAmong(followerId: string, userIds: readonly string[]): Promise<Set<string>> {
    const follower = parseObjectId(followerId);
    const ids = [...new Set(userIds)].map(parseObjectId).filter((id) => id !== null);
    if (follower === null || ids.length === 0) return new Set();
    const found = await this.collections.follows
      .find({ _id: { $in: ids.map((followee) => ({ follower, followee })) } }, { projection: { _id: 1 }, ...this.budget })
      .toArray();
    return new Set(found.map(({ _id }) => _id.followee.toHexString()));
  }

  async followeeIds(followerId: string): Promise<string[]> {
    const follower = parseObjectId(followerId);
    if (follower === null) return [];
    const found = await this.collections.follows.find({ '_id.follower': follower }, { projection: { _id: 1 }, ...this.budget }).toArray();
    return found.map(({ _id }) => _id.followee.toHexString());
  }

  /**
   * Two commands, whatever the page's length: the page of follows from the list's index, then its users by
   * `_id` (FerretDB has no $lookup). A follow whose other user has just been deleted is left out: its
   * delete removes the follows after the user.
   */
  private async page(side: Side, { userId, limit, after }: FollowQuery): Promise<Slice<FollowedUser>> {
    const other: Side = side === 'followee' ? 'follower' : 'followee';
    const query = followPage(side, { userId, limit, after });
    if (query === null) return { items: [], hasMore: false };
    const follows = await this.collections.follows
      .find(query.filter, this.budget)
      .sort(query.sort)
      .limit(limit + 1)
      .toArray();
    const page = follows.slice(0, limit);
    const ids: ObjectId[] = page.map(({ _id }) => _id[other]);
    const users = ids.length === 0 ? [] : await this.collections.users.find({ _id: { $in: ids } }, this.budget).toArray();
    const byId = new Map(users.map((user) => [user._id.toHexString(), user]));
    const items = page.flatMap(({ _id, createdAt }) => {
      const user = byId.get(_id[other].toHexString());
      return user === undefined ? [] : [{ user: toUser(user._id, user), followedAt: createdAt }];
    });
    return { items, hasMore: follows.length > limit };
  }
}

/**
 * The filter and order of a follow list's page, as the adapter runs it: the follows of one user on `side`,
 * after the position, newest first, then by the other user's id, descending: a range of the list's index.
 * Null when an id names no possible document.
 */
export function followPage(side: Side, { userId, after }: FollowQuery): { filter: Filter<FollowDocument>; sort: Sort } | null {
  const other: Side = side === 'followee' ? 'follower' : 'followee';
  const id = parseObjectId(userId);
  const afterId = after === undefined ? undefined : parseObjectId(after.id);
  if (id === null || afterId === null) return null;
  const filter: Filter<FollowDocument> = { [`_id.${side}`]: id };
  if (after !== undefined) filter.$or = [{ createdAt: { $lt: after.value } }, { createdAt: after.value, [`_id.${other}`]: { $lt: afterId } }];
  return { filter, sort: { createdAt: -1, [`_id.${other}`]: -1 } };
}

/** A follow that is already there is what was asked for. */
function alreadyThere(error: unknown): void {
  if (!isDuplicateKey(error)) throw error;
}
