/**
 * What the baseline server asks of a store: the few reads and writes its eight
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
  /**
   * The Conduit list (`GET /api/articles`): newest `createdAt` first, ties by id, newest first; `count` posts
   * after skipping `offset`; of the authors `followedBy` follows when given (`GET /api/articles/feed`).
   */
  listArticles(count: number, offset: number, followedBy?: string): Promise<ArticleRecord[]>;
  /** How many posts that list has in all: every post, or those of the authors `followedBy` follows. */
  countArticles(followedBy?: string): Promise<number>;
  /** The profiles of these users, by id, in one query. */
  profilesById(userIds: string[]): Promise<Map<string, ProfileRecord>>;
  /** Which of `userIds` the user follows, in one query. */
  followedAmong(userId: string, userIds: string[]): Promise<Set<string>>;
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

/** A post as the Conduit API names it: its slug ends with this suffix (base 36 of the row id, or of MongoDB's slugNumber). */
export interface ArticleRecord extends PostRecord {
  slugSuffix: string;
}

export interface ProfileRecord {
  username: string;
  bio: string;
  image: string | null;
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

/** As sqlPostRecord, with the slug's suffix: base 36 of the row id. */
export function sqlArticleRecord<D>(row: SqlPostRow<D>, instant: (value: D) => Date): ArticleRecord {
  return { ...sqlPostRecord(row, instant), slugSuffix: Number(row.id).toString(36) };
}

/** Longest run of a title's words a slug keeps, in characters. */
const maxSlugWordsLength = 60;
/** Latin letters that Unicode decomposition leaves whole, spelled as ASCII writes them. */
const latinSpellings: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/**
 * A post's slug as the service writes it (its src/domain/slug.ts): the title's words in lower-case ASCII
 * joined by `-`, accents dropped, at most 60 characters cut at a word's end (or `post` when none), then `-`
 * and the suffix.
 */
export function slugOf(title: string, suffix: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (letter) => latinSpellings[letter])
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let joined = '';
  for (const word of words) {
    const next = joined === '' ? word : `${joined}-${word}`;
    if (next.length > maxSlugWordsLength) {
      if (joined === '') joined = word.slice(0, maxSlugWordsLength);
      break;
    }
    joined = next;
  }
  return `${joined || 'post'}-${suffix}`;
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
