/** The longest description, in code points. */
export const maxDescriptionLength = 1_000;

export interface Post {
  id: string;
  authorId: string;
  title: string;
  /** The title's words and a suffix of the post's own (slug.ts): unique, and changed only by a new title. */
  slug: string;
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
