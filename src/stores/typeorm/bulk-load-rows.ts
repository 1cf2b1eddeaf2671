/** A post's row as PostWrites.createMany writes it (newPostRow in post-writes.ts), without its id. */
export interface LoadedPost {
  authorId: number;
  title: string;
  titleKey: string;
  content: string;
  contentKey: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** The columns of a loaded post, in the order every loader writes them. */
export const postColumns = ['author_id', 'title', 'title_key', 'content', 'content_key', 'publication_date', 'created_at', 'updated_at', 'version'] as const;

export function postValues(post: LoadedPost): unknown[] {
  return [post.authorId, post.title, post.titleKey, post.content, post.contentKey, post.publicationDate, post.createdAt, post.updatedAt, post.version];
}

/**
 * What one store does to load posts into its empty tables, inside what it
 * can make one unit: sets the secondary indexes and foreign keys of `posts`
 * and `post_tags` aside, writes rows without them, then makes them again
 * exactly as they were, as pg_restore and mysqldump loads do.
 */
export interface DeferredLoad {
  /** Takes the tables for the load; false, with nothing changed, when posts, tags or tag links are there already. */
  begin(): Promise<boolean>;
  /** Which of these user ids name no user; the users found stay until the end, as a foreign key would keep them. */
  missingUsers(ids: number[]): Promise<number[]>;
  /** Adds these tag names, none stored yet, and answers their ids in the same order. */
  addTags(names: string[]): Promise<number[]>;
  /** Writes the posts, and after each its links to the tags of `tagIds` at the same index. */
  write(posts: LoadedPost[], tagIds: number[][]): Promise<void>;
  /** Makes the indexes and foreign keys again, checks the references, and keeps what was written. */
  end(): Promise<void>;
  /** Gives up: undoes what it can, and puts back the indexes and foreign keys it set aside. */
  abort(): Promise<void>;
}
