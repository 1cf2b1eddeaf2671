import type { StoreKind } from '../config';
import type { AuthoredComment, Comment, CommentQuery, NewComment } from './comment';
import type { FavoriteQuery, FavoritedPost } from './favorites';
import type { FollowQuery, FollowedUser } from './follows';
import type { IdempotencyRecord, StoredResponse } from './idempotency';
import type { CountFilter, PostQuery, Slice, UserQuery } from './listing';
import type { NewPost, Post, PostChanges } from './post';
import type { Session, SignedIn } from './session';
import type { TagCount, TagQuery } from './tags';
import type { CopiedRecords, CopyProgress, IdentifiedKind, RecordKind, RecordPage } from './transfer';
import type { Credentials, NewUser, User, UserChanges } from './user';
import type { ExpectedVersions, WriteCondition } from './versions';

/**
 * The port every store implements. Ids are opaque strings: an id the store
 * could never have issued is simply not found.
 */
export interface UserRepository {
  /** @throws ConflictError when the email or username is taken, ignoring case. */
  create(input: NewUser): Promise<User>;
  /**
   * A bulk import: stores each user exactly as `create` would (one `now` for
   * all), in far fewer round trips. SQL stores write the whole batch in one
   * transaction or nothing. MongoDB has no transaction here (FerretDB has
   * none): the users are inserted in order and, on a conflict, those before
   * it are taken back; a crash or a lost connection can still leave them.
   * @throws ConflictError when an email or username is taken, or repeated in the batch, ignoring case.
   */
  createMany(inputs: NewUser[]): Promise<void>;
  findById(id: string): Promise<User | null>;
  /** The users of these ids that exist, in one call to the store whatever their number (the authors of a page); malformed ids find nobody. */
  findManyById(ids: readonly string[]): Promise<Map<string, User>>;
  /** By username in any case (as usernames are unique); null when no user has it. */
  findByUsername(username: string): Promise<User | null>;
  /** By email in any case; null when no user has it. */
  findCredentials(email: string): Promise<Credentials | null>;
  /** Replaces the password hash; not a profile change, so updatedAt stays. @throws NotFoundError */
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /** One keyset page, oldest first; an afterId no user could have matches nothing. */
  find(query: UserQuery): Promise<Slice<User>>;
  count(): Promise<number>;
  /**
   * Applies the changes and one more version in one store operation, and
   * answers the state that operation produced; updatedAt never goes backwards.
   * @throws NotFoundError, ConflictError, PreconditionFailedError (when `expected` does not hold)
   */
  update(id: string, changes: UserChanges, expected?: ExpectedVersions): Promise<User>;
  /**
   * Removes the user, all of their posts, sessions and kept idempotency answers, their comments and the
   * comments on their posts, their follows both ways,
   * their favorites (the counts of those posts go down) and the favorites of their posts.
   * @throws NotFoundError, PreconditionFailedError (when `expected` does not hold)
   */
  delete(id: string, expected?: ExpectedVersions): Promise<void>;
}

export interface PostRepository {
  /** @throws InvalidReferenceError when the author does not exist. */
  create(input: NewPost): Promise<Post>;
  /**
   * A bulk import: stores each post exactly as `create` would (one `now` for
   * all), in far fewer round trips. SQL stores write the posts and their tag
   * links in one transaction or nothing (tag names, as for `create`, are
   * added just before; an unused name is never listed). MongoDB has no
   * transaction here: the posts are inserted in order and taken back should
   * an author turn out deleted meanwhile; an insert that fails half-way (a
   * lost connection) or a crash can leave the posts before the failure.
   * @throws InvalidReferenceError when an author does not exist.
   */
  createMany(inputs: NewPost[]): Promise<void>;
  findById(id: string): Promise<Post | null>;
  /** The post whose slug this is now; null for a slug it had before its title changed, or one no post has. */
  findBySlug(slug: string): Promise<Post | null>;
  /** One keyset page in any supported order, filtered (a search examines a bounded number of posts); a malformed or unknown authorId matches nothing. */
  find(query: PostQuery): Promise<Slice<Post>>;
  /** How many posts the filter matches; a search is not counted. */
  count(filter: CountFilter): Promise<number>;
  /**
   * Applies the changes and one more version in one store operation, only while `condition` holds, and
   * answers the state that operation produced; updatedAt never goes backwards. The store is read apart
   * only when nothing was written, to tell why.
   * @throws NotFoundError, NotAuthorError (when the post has another author), PreconditionFailedError (when
   * no `expected` version holds); in that order
   */
  update(id: string, changes: PostChanges, condition?: WriteCondition): Promise<Post>;
  /** As update: one store operation, read apart only to tell why nothing was deleted; its comments and favorites go with it. @throws as update */
  delete(id: string, condition?: WriteCondition): Promise<void>;
}

/** Tags belong to posts: a tag no post carries any more is not listed. */
export interface TagRepository {
  /** One page of the tags in use, most used first, then by name in code-point order. */
  find(query: TagQuery): Promise<Slice<TagCount>>;
  /** How many tags are in use. */
  count(): Promise<number>;
}

/**
 * Comments belong to a post and to their author: deleting either deletes them. A malformed or unknown id
 * of a post or a comment, or a comment of another post, is simply not found.
 */
export interface CommentRepository {
  /**
   * One write on the happy path, without reading the post first where the store can refuse the write
   * itself (a foreign key).
   * @throws NotFoundError (the post is gone), InvalidReferenceError (the author is gone)
   */
  create(input: NewComment): Promise<Comment>;
  /** The comment of this post, with its author; null when either is unknown. */
  findById(postId: string, id: string): Promise<AuthoredComment | null>;
  /** As findById, by the comment's number. */
  findByNumber(postId: string, number: number): Promise<AuthoredComment | null>;
  /**
   * One page of the post's comments, in the query's order, each with its author, in a number of store calls that
   * does not grow with the page; null when the post does not exist.
   */
  find(query: CommentQuery): Promise<Slice<AuthoredComment> | null>;
  /**
   * Deletes the comment when `callerId` wrote it or wrote its post, in one store operation, read apart
   * only to tell why nothing was deleted.
   * @throws NotFoundError (post, then comment), NotAuthorError
   */
  delete(postId: string, id: string, callerId: string): Promise<void>;
}

export interface SessionRepository {
  /** @throws InvalidReferenceError when the user does not exist. */
  create(session: Session): Promise<void>;
  /**
   * The session with this hash and its user, in one call to the store: every signed-in request makes it.
   * Null when no session has the hash. Expired sessions are answered too; the caller judges the time.
   */
  findWithUser(tokenHash: string): Promise<SignedIn | null>;
  /** Deleting a session that is already gone is not an error: logging out twice is fine. */
  delete(tokenHash: string): Promise<void>;
  /** Removes the sessions that expired before `now`; answers how many. */
  deleteExpired(now: Date): Promise<number>;
  /** Removes every session of the user but the one whose hash is `exceptTokenHash`, if given; answers how many. */
  deleteForUser(userId: string, exceptTokenHash?: string): Promise<number>;
}

/**
 * Uses of `Idempotency-Key`. The insert of a record on its unique id is the
 * lock: no transaction is needed, so it works on every store (FerretDB has none).
 * A record whose `expiresAt` has passed counts as absent.
 */
export interface IdempotencyKeyRepository {
  /**
   * Inserts `record` (pending, with its lease) when no live record has its id,
   * after removing every expired record; false, and nothing written, when a
   * live record holds the id.
   */
  claim(record: IdempotencyRecord, now: Date): Promise<boolean>;
  /** The live record with this id, or null. */
  find(id: string, now: Date): Promise<IdempotencyRecord | null>;
  /**
   * Keeps the response of a pending record until `expiresAt`; false, and
   * nothing written, when that claim is gone (its lease ran out and another
   * request took the id). With `userId`, the record is that user's: deleting
   * the user deletes it (UserRepository.delete), and a user already gone keeps none.
   */
  complete(id: string, claimToken: string, response: StoredResponse, expiresAt: Date, userId?: string): Promise<boolean>;
  /** Deletes the record if that claim still holds it, so the key can be used afresh. */
  release(id: string, claimToken: string): Promise<void>;
}

/**
 * Who follows whom. A follow is a pair of users; writing it again, or removing
 * one that is not there, changes nothing and is not an error.
 */
export interface FollowRepository {
  /**
   * Makes `followerId` follow `followeeId`, once, whatever the races.
   * @throws SelfFollowError, NotFoundError naming the followee when it is unknown or malformed, else the follower
   */
  follow(followerId: string, followeeId: string): Promise<void>;
  /** @throws SelfFollowError, NotFoundError (the followee unknown or malformed) */
  unfollow(followerId: string, followeeId: string): Promise<void>;
  /** The users who follow `query.userId`, newest follow first. */
  followers(query: FollowQuery): Promise<Slice<FollowedUser>>;
  /** The users `query.userId` follows, newest follow first. */
  following(query: FollowQuery): Promise<Slice<FollowedUser>>;
  /** Which of `userIds` `followerId` follows, in one call to the store whatever their number. */
  followedAmong(followerId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** The ids of every user `followerId` follows, in no order: what a feed reads. */
  followeeIds(followerId: string): Promise<string[]>;
}

/**
 * Which posts each user favorites. A favorite is a pair of a user and a post; writing it again, or removing
 * one that is not there, changes nothing and is not an error. Each post's `favoritesCount` follows the
 * favorites every write actually added or removed.
 */
export interface FavoriteRepository {
  /**
   * Makes `userId` favorite `postId`, once, whatever the races.
   * @throws NotFoundError naming the post when it is unknown or malformed, else the user
   */
  favorite(userId: string, postId: string): Promise<void>;
  /** @throws NotFoundError (the post unknown or malformed) */
  unfavorite(userId: string, postId: string): Promise<void>;
  /** The posts `query.userId` favorites, most recently favorited first. */
  favorites(query: FavoriteQuery): Promise<Slice<FavoritedPost>>;
  /** Which of `postIds` `userId` favorites, in one call to the store whatever their number. */
  favoritedAmong(userId: string, postIds: readonly string[]): Promise<Set<string>>;
}

/**
 * What a copy between stores (`npm run copy`) reads from its source and writes to its target, and the ids it
 * moved, by which the service sends a request for an old id to the new one.
 */
export interface TransferRepository {
  /** Up to `limit` records of `kind` after the position `after` (null: from the first), and the position after them. */
  read<K extends RecordKind>(kind: K, after: string | null, limit: number): Promise<RecordPage<K>>;
  /**
   * Every record of `kind`, in batches of about `batch`, in no promised order: one pass over the kind, where a
   * comparison needs no position to resume from. (FerretDB sorts a whole collection for each page `read`
   * asks for; a scan sorts nothing.)
   */
  scan<K extends RecordKind>(kind: K, batch: number): AsyncIterable<CopiedRecords[K][]>;
  /** How many records of `kind` the store holds. */
  count(kind: RecordKind): Promise<number>;
  /** The copy this store is the target of, finished or not; null when none has begun. */
  progress(): Promise<CopyProgress | null>;
  /**
   * Records that a copy into this store begins, with no position yet.
   * @throws ConflictError when the store holds a record of any kind, or another copy's progress
   */
  begin(progress: Omit<CopyProgress, 'positions' | 'finished'>): Promise<void>;
  /**
   * Writes a batch of `kind` read from the source, and moves that kind's position to `position` (null: the kind
   * is done), so that a copy stopped at any moment and started again goes on after the last batch written,
   * without a duplicate or a gap. A record already written by an earlier try is not written twice.
   * Ids: from a source of this store's family, kept; otherwise this store issues its own, keeps the map from the
   * old, and translates the references of later kinds by it. A post and a comment keep their `number`, and
   * version, times and password hashes arrive unchanged.
   * @throws ConflictError when no copy has begun here
   */
  write<K extends RecordKind>(kind: K, records: CopiedRecords[K][], position: string | null): Promise<void>;
  /**
   * Ends the copy: the store's own numbering (sequences, counters) moved past every copied id and number, what it
   * keeps derived (MongoDB's favorite counts) recomputed, and the progress marked finished.
   */
  finish(): Promise<void>;
  /** The id here of a record copied from a store of the other family under `oldId`; null when none was. */
  movedId(kind: IdentifiedKind, oldId: string): Promise<string | null>;
  /** Every id of `kind` moved here from a store of the other family, old and new, in batches of about `batch`, in no promised order. */
  moves(kind: IdentifiedKind, batch: number): AsyncIterable<[oldId: string, newId: string][]>;
}

export interface Store {
  /** Which store this is, as DATABASE_URL names it. */
  readonly kind: StoreKind;
  readonly users: UserRepository;
  readonly posts: PostRepository;
  readonly tags: TagRepository;
  readonly comments: CommentRepository;
  readonly sessions: SessionRepository;
  readonly follows: FollowRepository;
  readonly favorites: FavoriteRepository;
  readonly idempotencyKeys: IdempotencyKeyRepository;
  readonly transfer: TransferRepository;
  /** What an operator must know about this store's guarantees; logged once at start. */
  readonly warnings: readonly string[];
  /** Resolves once the store has answered one trivial request; what readiness is judged by. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
