import type { Comment } from './comment';
import type { Post } from './post';
import type { User } from './user';

/**
 * A store's records as a copy to another store moves them (`npm run copy`): every field the API shows or
 * relies on, password hashes included, in a form no store owns. Sessions and idempotency keys are not
 * records of this kind: a copy leaves them behind, and everyone logs in again.
 *
 * Ids are the source's own. `number` is the integer the Conduit API names a post (its slug's suffix) or a
 * comment by: on SQL it is the id; on MongoDB a sequence's number beside the ObjectId. A copy keeps it, so
 * slugs and Conduit comment ids read the same on the target whatever its kind.
 */
export interface CopiedUser extends User {
  /** Null for a user who has none (written before passwords existed): they cannot log in, there or here. */
  passwordHash: string | null;
}

/** A post as stored: the number its slug ends with in place of the suffix, and no count (the favorites make it). */
export interface CopiedPost extends Omit<Post, 'slugSuffix' | 'favoritesCount'> {
  number: number;
}

export interface CopiedFollow {
  followerId: string;
  followeeId: string;
  createdAt: Date;
}

export interface CopiedFavorite {
  userId: string;
  postId: string;
  createdAt: Date;
}

/** A comment as stored, its number included. */
export type CopiedComment = Comment;

export interface CopiedRecords {
  users: CopiedUser;
  posts: CopiedPost;
  follows: CopiedFollow;
  favorites: CopiedFavorite;
  comments: CopiedComment;
}

export type RecordKind = keyof CopiedRecords;

/** The kinds in the order a copy writes them: each after every kind it refers to. */
export const recordKinds: readonly RecordKind[] = ['users', 'posts', 'follows', 'favorites', 'comments'];

/** The kinds whose records have an id of their own, which a copy between kinds of store cannot keep. */
export type IdentifiedKind = 'users' | 'posts' | 'comments';

/** What kind of id a store issues: SQL's integers, MongoDB's ObjectIds. A copy keeps ids within one family. */
export type IdFamily = 'sql' | 'mongodb';

/**
 * A page of one kind, in an order that does not change while nothing is written (by id; a follow or a
 * favorite by its pair), and the position after its last record: where the next page starts, null after
 * the last page. A position is opaque text of the store that gave it.
 */
export interface RecordPage<K extends RecordKind> {
  records: CopiedRecords[K][];
  next: string | null;
}

/**
 * A copy in progress as its target records it: which source it reads, and for each kind the source's
 * position after the last batch written (absent: not begun; null: done).
 */
export interface CopyProgress {
  /** The source as the copy names it (its kind and address, never its password). */
  source: string;
  sourceFamily: IdFamily;
  positions: Partial<Record<RecordKind, string | null>>;
  /** True once every kind is written and `finish` has run. */
  finished: boolean;
}
