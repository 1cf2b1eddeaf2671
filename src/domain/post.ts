export interface Post {
  id: string;
  authorId: string;
  title: string;
  content: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
  /** 1 on create, one more on every change. */
  version: number;
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
