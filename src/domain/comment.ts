import type { Position } from './listing';
import type { User } from './user';

/** A comment as stored: it belongs to one post and one author, and is never edited (updatedAt is createdAt). */
export interface Comment {
  id: string;
  /** A positive integer of its own, unique among all comments (the Conduit API's comment id): the id on SQL. */
  number: number;
  postId: string;
  authorId: string;
  content: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A comment with its author as they are now, read together with it. */
export interface AuthoredComment extends Comment {
  author: User;
}

export interface NewComment {
  postId: string;
  authorId: string;
  content: string;
}

/** A post's comments, oldest first, ties by id: a keyset page after `after` (the last comment's createdAt and id). */
export interface CommentQuery {
  postId: string;
  limit: number;
  after?: Position & { value: Date };
}
