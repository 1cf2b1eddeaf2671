import type { Collection, Db, ObjectId } from 'mongodb';

export interface UserDocument {
  _id: ObjectId;
  email: string;
  emailKey: string;
  username: string;
  usernameKey: string;
  displayName: string;
  passwordHash?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface PostDocument {
  _id: ObjectId;
  authorId: ObjectId;
  title: string;
  content: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** `_id` is the SHA-256 hash of the bearer token. */
export interface SessionDocument {
  _id: string;
  userId: ObjectId;
  createdAt: Date;
  expiresAt: Date;
}

export interface Collections {
  users: Collection<UserDocument>;
  posts: Collection<PostDocument>;
  sessions: Collection<SessionDocument>;
}

export function collections(db: Db): Collections {
  return {
    users: db.collection<UserDocument>('users'),
    posts: db.collection<PostDocument>('posts'),
    sessions: db.collection<SessionDocument>('sessions'),
  };
}

/** Newest first, ties newest id first; `_id` is the last key because no store promises a stable sort. */
export const newestFirst = { publicationDate: -1, _id: -1 } as const;

/** Safe to run on every start: creating an index that exists with the same definition does nothing. */
export async function ensureIndexes({ users, posts, sessions }: Collections): Promise<void> {
  await users.createIndexes([
    { key: { emailKey: 1 }, name: 'email_key_unique', unique: true },
    { key: { usernameKey: 1 }, name: 'username_key_unique', unique: true },
  ]);
  await posts.createIndexes([
    { key: newestFirst, name: 'newest_first' },
    { key: { authorId: 1, ...newestFirst }, name: 'author_newest_first' },
  ]);
  // Not a TTL index: FerretDB has none, so expired sessions are removed by deleteExpired.
  await sessions.createIndexes([
    { key: { userId: 1 }, name: 'user' },
    { key: { expiresAt: 1 }, name: 'expires' },
  ]);
}
