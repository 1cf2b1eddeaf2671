import type { Collection, Db, Document, ObjectId } from 'mongodb';
import type { StoredResponse } from '../../domain/idempotency';
import type { CopyProgress } from '../../domain/transfer';

export interface UserDocument {
  _id: ObjectId;
  email: string;
  emailKey: string;
  username: string;
  usernameKey: string;
  displayName: string;
  /** Absent from users written before profiles: read as '' (user-copies.ts). */
  bio?: string;
  /** Absent from users written before profiles: read as null. */
  image?: string | null;
  passwordHash?: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface PostDocument {
  _id: ObjectId;
  authorId: ObjectId;
  title: string;
  /**
   * The number the post's slug ends with (in base 36), from the `posts` sequence (sequences.ts); unique.
   * Absent from posts stored without it (none the service writes): their slug ends with the `_id` in hex.
   */
  slugNumber?: number;
  /** Absent from posts written before descriptions: read as empty. */
  description?: string;
  content: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
  /** Normalized, distinct, in code-point order. */
  tags: string[];
  /** The case-folded title and content that searches read; never served. */
  titleKey: string;
  contentKey: string;
  version: number;
  /**
   * How many favorites the post has, kept by ordered steps without a transaction (mongo-favorite-repository.ts):
   * may lag behind for a moment, or be off after a crash between steps until `npm run repair`; read as at
   * least zero. Absent from posts written before favorites: read as 0.
   */
  favoritesCount?: number;
}

/**
 * A comment, in a collection of its own: a post's comments grow without bound, so they are not an array on
 * the post. `postAuthorId` copies the post's author, who never changes: a delete by the post's author and
 * the cascade from a deleted user to the comments on their posts are then one command each, with no read
 * of the posts. `_id` is an ObjectId; `number`, the integer the Conduit API names a comment by, comes from
 * a sequence (sequences.ts) and is kept unique by an index.
 */
export interface CommentDocument {
  _id: ObjectId;
  /** From the `comments` sequence (sequences.ts), unique. Absent from comments stored without it (none the service writes). */
  number?: number;
  postId: ObjectId;
  postAuthorId: ObjectId;
  authorId: ObjectId;
  content: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A user's profile as each of their sessions keeps it (see user-copies.ts). */
export type UserCopy = Pick<UserDocument, 'email' | 'username' | 'displayName' | 'bio' | 'image' | 'createdAt' | 'updatedAt' | 'version'>;

/** `_id` is the SHA-256 hash of the bearer token. */
export interface SessionDocument {
  _id: string;
  userId: ObjectId;
  createdAt: Date;
  expiresAt: Date;
  /** Absent from sessions written before copies were kept: their user is read apart. */
  user?: UserCopy;
}

/** `_id` is the hash of an Idempotency-Key and its scope; `response` is null while pending. */
export interface IdempotencyKeyDocument {
  _id: string;
  fingerprint: string;
  claimToken: string;
  response: StoredResponse | null;
  expiresAt: Date;
  /** Whose answer this is; deleting that user deletes it. */
  userId?: ObjectId;
}

/**
 * One follow. The pair is the `_id`, so a second insert of it is refused by the store itself, whatever the
 * races: the insert is the lock. No array of followers or followees grows on a user.
 */
export interface FollowDocument {
  _id: { follower: ObjectId; followee: ObjectId };
  createdAt: Date;
}

/**
 * One favorite. The pair is the `_id`, so a second insert of it is refused by the store itself, whatever the
 * races: the insert is the lock, and only an insert that was not refused counts on the post. No array of
 * favoriting users grows on a post, nor of favorites on a user.
 */
export interface FavoriteDocument {
  _id: { user: ObjectId; post: ObjectId };
  createdAt: Date;
}

/** A named sequence's counter (sequences.ts): `value` is the last number reserved. */
export interface CounterDocument {
  _id: string;
  value: number;
}

/** The copy into this store (`npm run copy`), one at most: the fixed `_id` makes its insert the lock. */
export interface CopyProgressDocument extends CopyProgress {
  _id: 'copy';
}

/** A record copied from a store of the other family: `_id` is `${kind}:${old id}`, `newId` its id here. */
export interface MovedIdDocument {
  _id: string;
  newId: ObjectId;
}

export interface Collections {
  users: Collection<UserDocument>;
  posts: Collection<PostDocument>;
  sessions: Collection<SessionDocument>;
  idempotencyKeys: Collection<IdempotencyKeyDocument>;
  comments: Collection<CommentDocument>;
  follows: Collection<FollowDocument>;
  favorites: Collection<FavoriteDocument>;
  counters: Collection<CounterDocument>;
  copyProgress: Collection<CopyProgressDocument>;
  movedIds: Collection<MovedIdDocument>;
}

export function collections(db: Db): Collections {
  return {
    users: db.collection<UserDocument>('users'),
    posts: db.collection<PostDocument>('posts'),
    sessions: db.collection<SessionDocument>('sessions'),
    idempotencyKeys: db.collection<IdempotencyKeyDocument>('idempotency_keys'),
    comments: db.collection<CommentDocument>('comments'),
    follows: db.collection<FollowDocument>('follows'),
    favorites: db.collection<FavoriteDocument>('favorites'),
    counters: db.collection<CounterDocument>('counters'),
    copyProgress: db.collection<CopyProgressDocument>('copy_progress'),
    movedIds: db.collection<MovedIdDocument>('moved_ids'),
  };
}

/** Newest first, ties newest id first; `_id` is the last key because no store promises a stable sort. */
export const newestFirst = { publicationDate: -1, _id: -1 } as const;

/** An index a collection needs; an existing one is matched by name, then by key and uniqueness. */
export interface IndexSpec {
  name: string;
  key: Readonly<Record<string, 1 | -1>>;
  unique?: boolean;
  /**
   * Leaves out documents without the field, so that several may lack it under a unique index (real MongoDB
   * counts a missing field as null). Not compared with an existing index: FerretDB 1.24 ignores the option
   * (and accepts several documents without a uniquely indexed field anyway).
   */
  sparse?: boolean;
}

/** The indexes each collection needs. Indexes of other names and keys are left alone. */
export const indexSpecs: Record<keyof Collections, readonly IndexSpec[]> = {
  users: [
    { name: 'email_key_unique', key: { emailKey: 1 }, unique: true },
    { name: 'username_key_unique', key: { usernameKey: 1 }, unique: true },
  ],
  posts: [
    { name: 'newest_first', key: newestFirst },
    { name: 'author_newest_first', key: { authorId: 1, ...newestFirst } },
    // The other orders a list can take; each serves both directions.
    { name: 'created', key: { createdAt: 1, _id: 1 } },
    { name: 'author_created', key: { authorId: 1, createdAt: 1, _id: 1 } },
    { name: 'title', key: { title: 1, _id: 1 } },
    { name: 'author_title', key: { authorId: 1, title: 1, _id: 1 } },
    // Multikey: a tag filter with the default order; the tag counts read it too.
    { name: 'tag_newest_first', key: { tags: 1, ...newestFirst } },
    // A slug's post, and the lock that keeps two posts from one number.
    { name: 'slug_number_unique', key: { slugNumber: 1 }, unique: true, sparse: true },
  ],
  // Not a TTL index: FerretDB has none, so expired sessions are removed by deleteExpired.
  sessions: [
    { name: 'user', key: { userId: 1 } },
    { name: 'expires', key: { expiresAt: 1 } },
  ],
  // Not a TTL index either: expired keys are removed when a key is claimed.
  idempotencyKeys: [
    { name: 'expires', key: { expiresAt: 1 } },
    { name: 'user', key: { userId: 1 } },
  ],
  // A post's comments oldest first, and the cascades from a deleted post, author and post author.
  comments: [
    { name: 'post_oldest_first', key: { postId: 1, createdAt: 1, _id: 1 } },
    { name: 'author', key: { authorId: 1 } },
    { name: 'post_author', key: { postAuthorId: 1 } },
    // A comment by its number, and the lock that keeps two comments from one number.
    { name: 'number_unique', key: { number: 1 }, unique: true, sparse: true },
  ],
  // A user's followers and followees, newest follow first; each also serves deleting a user's follows.
  // The `_id` index answers whether one user follows others.
  follows: [
    { name: 'followers_newest_first', key: { '_id.followee': 1, createdAt: -1, '_id.follower': -1 } },
    { name: 'following_newest_first', key: { '_id.follower': 1, createdAt: -1, '_id.followee': -1 } },
  ],
  // A user's favorites newest first (also deleting a user's favorites), and a post's (its delete, a recount).
  // The `_id` index answers whether one user favorites some posts.
  favorites: [
    { name: 'user_newest_first', key: { '_id.user': 1, createdAt: -1, '_id.post': -1 } },
    { name: 'post', key: { '_id.post': 1 } },
  ],
  // Found by `_id`, the sequence's name.
  counters: [],
  // Found by `_id` alone; created by a copy's first write, so a store never copied into has neither.
  copyProgress: [],
  movedIds: [],
};

/**
 * Creates the missing indexes and checks the existing ones, so a start on existing data changes nothing.
 * Only missing indexes are sent: FerretDB 1.24 panics and drops the connection when one createIndexes
 * names indexes that exist (FerretDB issue #3858), where MongoDB would do nothing. An existing index
 * that differs from its spec stops the start: replacing it is the operator's decision, not a start-up's.
 */
export async function ensureIndexes(all: Collections): Promise<void> {
  for (const name of Object.keys(indexSpecs) as (keyof Collections)[]) {
    await ensureCollectionIndexes(all[name], indexSpecs[name]);
  }
}

/** The indexes `ensureIndexes` would create, as `collection.index`; nothing is changed. */
export async function missingIndexes(all: Collections): Promise<string[]> {
  const missing: string[] = [];
  for (const name of Object.keys(indexSpecs) as (keyof Collections)[]) {
    const existing = await existingIndexes(all[name]);
    for (const spec of indexSpecs[name]) if (!existing.some((index) => index.name === spec.name)) missing.push(`${all[name].collectionName}.${spec.name}`);
  }
  return missing;
}

type IndexedCollection = Pick<Collection, 'collectionName' | 'listIndexes' | 'createIndexes'>;

async function ensureCollectionIndexes(collection: IndexedCollection, specs: readonly IndexSpec[]): Promise<void> {
  const existing = await existingIndexes(collection);
  const missing: IndexSpec[] = [];
  for (const spec of specs) {
    const named = existing.find((index) => index.name === spec.name);
    const problem = named === undefined ? takenKey(existing, spec) : differences(named, spec);
    if (problem !== undefined) throw new Error(`collection ${collection.collectionName}: ${problem}`);
    if (named === undefined) missing.push(spec);
  }
  if (missing.length === 0) return;
  await collection.createIndexes(missing.map(({ name, key, unique, sparse }) => ({ name, key: { ...key }, ...(unique ? { unique } : {}), ...(sparse ? { sparse } : {}) })));
}

/** A collection that does not exist yet has no indexes. */
async function existingIndexes(collection: IndexedCollection): Promise<Document[]> {
  try {
    return await collection.listIndexes().toArray();
  } catch (error) {
    if ((error as { codeName?: unknown }).codeName === 'NamespaceNotFound') return [];
    throw error;
  }
}

function differences(index: Document, spec: IndexSpec): string | undefined {
  const found: string[] = [];
  if (keyText(index.key) !== keyText(spec.key)) found.push(`key ${keyText(index.key)} instead of ${keyText(spec.key)}`);
  if (Boolean(index.unique) !== Boolean(spec.unique)) found.push(spec.unique ? 'not unique' : 'unique');
  return found.length === 0 ? undefined : `index ${spec.name} differs from the one required: ${found.join(', ')}`;
}

/** MongoDB and FerretDB both refuse a second index on one key; naming the index that holds it is clearer. */
function takenKey(existing: Document[], spec: IndexSpec): string | undefined {
  const holder = existing.find((index) => keyText(index.key) === keyText(spec.key));
  return holder === undefined ? undefined : `index ${holder.name} has the key ${keyText(spec.key)} that index ${spec.name} requires`;
}

/** Key order matters in an index, and JSON keeps it. */
function keyText(key: unknown): string {
  return JSON.stringify(key);
}

/**
 * The statement budget, given to every read the service makes while serving: the server ends a read past
 * it with MaxTimeMSExpired (code 50). Writes touch one document, or a list the request named.
 */
export interface ReadBudget {
  maxTimeMS: number;
}
