export interface Post {
  id: string;
  authorId: string;
  title: string;
  content: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPost {
  authorId: string;
  title: string;
  content: string;
  /** Defaults to the time of creation. */
  publicationDate?: Date;
}

/** The author of a post never changes. */
export type PostChanges = Partial<Pick<Post, 'title' | 'content' | 'publicationDate'>>;
