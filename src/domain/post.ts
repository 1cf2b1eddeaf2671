import { slugOf } from './slug';

/** The longest description, in code points. */
export const maxDescriptionLength = 1_000;

export interface Post {
  id: string;
  authorId: string;
  title: string;
  /**
   * What ends the post's slug (slug.ts), its own and unique: the slug is postSlug(post), made only where a
   * slug is shown or sought, not for every post read.
   */
  slugSuffix: string;
  /** What the post is about, in a line or two; empty when its author gave none. */
  description: string;
  content: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
  /** Normalized (see tags.ts), distinct, in code-point order. */
  tags: string[];
  /** 1 on create, one more on every change. */
  version: number;
  /** How many users favorite the post; never below zero. A favorite is not a change: version and updatedAt stay. */
  favoritesCount: number;
}

export interface NewPost {
  authorId: string;
  title: string;
  /** Empty when absent. */
  description?: string;
  content: string;
  /** Defaults to the time of creation. */
  publicationDate?: Date;
  /** Normalized already; none when absent. */
  tags?: string[];
}

/** The author of a post never changes; `tags` replaces the whole set. */
export type PostChanges = Partial<Pick<Post, 'title' | 'description' | 'content' | 'publicationDate' | 'tags'>>;

/** The post's slug: the title's words and its suffix, unique, and changed only by a new title. */
export function postSlug({ title, slugSuffix }: Pick<Post, 'title' | 'slugSuffix'>): string {
  return slugOf(title, slugSuffix);
}
