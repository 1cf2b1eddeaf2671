import type { Position } from './listing';
import type { Post } from './post';

/**
 * One page of a user's favorites: most recently favorited first, ties broken
 * by the post's id, descending. `after` is the last item of the previous page:
 * when it was favorited, and the post's id.
 */
export interface FavoriteQuery {
  userId: string;
  limit: number;
  after?: Position & { value: Date };
}

/** A post a user favorited, and when. */
export interface FavoritedPost {
  post: Post;
  favoritedAt: Date;
}
