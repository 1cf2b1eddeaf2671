import type { Collection, Db, ObjectId } from 'mongodb';

export interface UserDocument {
  _id: ObjectId;
  email: string;
  emailKey: string;
  username: string;
  usernameKey: string;
  displayName: string;
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

export interface Collections {
  users: Collection<UserDocument>;
  posts: Collection<PostDocument>;
}

export function collections(db: Db): Collections {
  return {
    users: db.collection<UserDocument>('users'),
    posts: db.collection<PostDocument>('posts'),
  };
}

/** Newest first, ties newest id first; `_id` is the last key because no store promises a stable sort. */
export const newestFirst = { publicationDate: -1, _id: -1 } as const;

/** Safe to run on every start: creating an index that exists with the same definition does nothing. */
export async function ensureIndexes({ users, posts }: Collections): Promise<void> {
  await users.createIndexes([
    { key: { emailKey: 1 }, name: 'email_key_unique', unique: true },
    { key: { usernameKey: 1 }, name: 'username_key_unique', unique: true },
  ]);
  await posts.createIndexes([
    { key: newestFirst, name: 'newest_first' },
    { key: { authorId: 1, ...newestFirst }, name: 'author_newest_first' },
  ]);
}
