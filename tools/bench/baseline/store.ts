/**
 * What the baseline server asks of a store: the few reads and writes its six
 * routes need, each written by hand against one raw driver. Nothing here is
 * imported from src/: the baseline is the yardstick, so it must not share the
 * code it measures.
 */
export interface BaselineStore {
  /** The user a live session belongs to, by the SHA-256 (hex) of its bearer token; null when unknown or expired. */
  sessionUser(tokenHash: string, now: Date): Promise<string | null>;
  findPost(id: string): Promise<PostRecord | null>;
  /** Newest first (publication date, then id, both descending), after `after` when given; at most `count` posts. */
  listPosts(count: number, after?: ListPosition): Promise<PostRecord[]>;
  /** As listPosts, of the authors `userId` follows: one statement on SQL, the followees then the posts on MongoDB. */
  listFeed(userId: string, count: number, after?: ListPosition): Promise<PostRecord[]>;
  /** Which of `postIds` the user favorites, in one query. */
  favoritedAmong(userId: string, postIds: string[]): Promise<Set<string>>;
  createPost(authorId: string, post: NewPostRecord, now: Date): Promise<PostRecord>;
  /** Null when no post of this author has this id (and this version, when given). */
  updatePost(id: string, authorId: string, version: number | undefined, changes: PostRecordChanges, now: Date): Promise<PostRecord | null>;
  close(): Promise<void>;
}

export interface PostRecord {
  id: string;
  authorId: string;
  title: string;
  description: string;
  content: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
  /** In code-point order. */
  tags: string[];
  version: number;
  favoritesCount: number;
}

export interface NewPostRecord {
  title: string;
  description: string;
  content: string;
  publicationDate: Date;
  /** Normalized, distinct, in code-point order. */
  tags: string[];
}

export type PostRecordChanges = Partial<NewPostRecord>;

export interface ListPosition {
  publicationDate: Date;
  id: string;
}

/** The case-folded copy of a title or content that the service searches (its src/domain/search.ts). */
export function searchKey(text: string): string {
  return text.toLowerCase().toUpperCase().toLowerCase().replaceAll('ς', 'σ');
}

/** Code-point order is UTF-8 byte order. */
export function inCodePointOrder(tags: string[]): string[] {
  return tags.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** A SQL JSON aggregate of tag names, which drivers answer as text or as an array (or null for none). */
export function tagsOf(aggregate: unknown): string[] {
  const names = typeof aggregate === 'string' ? (JSON.parse(aggregate) as string[]) : ((aggregate ?? []) as string[]);
  return inCodePointOrder(names);
}

/** A post as the SQL stores select it, tags aggregated; `D` is how the driver gives a datetime. */
export interface SqlPostRow<D> {
  id: number;
  author_id: number;
  title: string;
  description: string;
  content: string;
  publication_date: D;
  created_at: D;
  updated_at: D;
  version: number;
  tags: unknown;
  /** A count, which some drivers answer as text. */
  favorites_count: number | string;
}

export function sqlPostRecord<D>(row: SqlPostRow<D>, instant: (value: D) => Date): PostRecord {
  return {
    id: String(row.id),
    authorId: String(row.author_id),
    title: row.title,
    description: row.description,
    content: row.content,
    publicationDate: instant(row.publication_date),
    createdAt: instant(row.created_at),
    updatedAt: instant(row.updated_at),
    tags: tagsOf(row.tags),
    version: row.version,
    favoritesCount: Number(row.favorites_count),
  };
}

/** The columns an update sets, with their search keys, and each value as the driver takes it (`datetime` for dates). */
export function changedColumns<D>({ title, description, content, publicationDate }: PostRecordChanges, datetime: (date: Date) => D): [string, string | D][] {
  return [
    ...(title === undefined ? [] : [['title', title], ['title_key', searchKey(title)]]),
    ...(description === undefined ? [] : [['description', description]]),
    ...(content === undefined ? [] : [['content', content], ['content_key', searchKey(content)]]),
    ...(publicationDate === undefined ? [] : [['publication_date', datetime(publicationDate)]]),
  ] as [string, string | D][];
}
