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

/**
 * A post's comments, oldest first, ties by id, or newest first, ties by id descending: a keyset page after
 * `after` (the last comment's createdAt and id) in that order, so newest first it starts strictly before it.
 */
export interface CommentQuery {
  postId: string;
  limit: number;
  /** 'oldest' when absent. */
  order?: 'oldest' | 'newest';
  after?: Position & { value: Date };
}
