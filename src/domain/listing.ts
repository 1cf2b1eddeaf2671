/** Every order ends with the record's id, in the same direction, so no two records tie. */
export type SortDirection = 'asc' | 'desc';

export const postSortFields = ['publicationDate', 'createdAt', 'title'] as const;
export type PostSortField = (typeof postSortFields)[number];

/** Titles compare by Unicode code point on every store: no locale, case or accent rules. */
export interface PostSort {
  field: PostSortField;
  direction: SortDirection;
}

export interface PostFilter {
  authorId?: string;
  /** Only posts whose author this user follows: the user's feed. */
  followedBy?: string;
  /** Strictly later than this instant. */
  publishedAfter?: Date;
  /** Strictly earlier than this instant. */
  publishedBefore?: Date;
  /** Normalized tags, each of which a post must carry. */
  tags?: string[];
  /** Found in the title or the content, compared case-folded (search.ts); every character stands for itself. */
  q?: string;
  /** Posts this user favorites; a malformed or unknown id matches nothing. */
  favoritedBy?: string;
}

/** A place in a sorted list: just after the record with this sort value and id (a tag's count and name), in the sort's order. */
export interface Position {
  value: Date | string | number;
  id: string;
}

/**
 * The most posts one search page examines, on every store. A search compares
 * each post's whole folded text, up to 200,000 characters a post, so its cost
 * is the posts it examines times their length: 100 posts of 100,000
 * characters took 20-30 ms of SQLite's time (1,000 took 280-490 ms), and a
 * store's connection is held that long.
 */
export const searchScanLimit = 100;

/**
 * One page of a keyset ("seek") walk: the first `limit` records after
 * `after` (from the start when absent). Its cost does not grow with depth,
 * and records added or removed meanwhile never shift it.
 *
 * A search (`filter.q`) examines at most `scanLimit` posts after `after`, in
 * the list's order, and answers the first `limit` matches among them: when it
 * examined that many and found no more than `limit`, the next page starts
 * after the last post examined (`Slice.continueAfter`), so a page may hold
 * fewer items, even none, and still not be the last.
 */
export interface PostQuery {
  sort: PostSort;
  filter: PostFilter;
  limit: number;
  after?: Position;
  /** Records to pass over first, without `after`: the slow path, whose cost grows with it. Not with a search. */
  skip?: number;
  /** A search's bound on the posts one page examines; `searchScanLimit` when absent. */
  scanLimit?: number;
}

/** A filter a count takes: a search would have to examine every post, so it is not counted. */
export type CountFilter = Omit<PostFilter, 'q'>;

/** The filter of a count, checked once for every store: a PostFilter passes as a CountFilter, its search must not. */
export function countable(filter: CountFilter): PostFilter {
  if ((filter as PostFilter).q !== undefined) throw new Error('a search is not counted');
  return filter;
}

/** Users are listed oldest first: by id, which grows with every sign-up on every store. */
export interface UserQuery {
  limit: number;
  /** The id of the last user of the previous page. */
  afterId?: string;
  skip?: number;
}

export interface Slice<T> {
  items: T[];
  /** Whether records follow the last item. */
  hasMore: boolean;
  /** Where the next page starts when not just after the last item: a search that examined its whole scan limit. */
  continueAfter?: Position;
}

/**
 * The bound of a search page, checked once for every store: the posts a page
 * may examine, or undefined when the query is no search.
 */
export function searchScan(query: PostQuery): number | undefined {
  if (query.filter.q === undefined) return undefined;
  if (query.skip !== undefined && query.skip > 0) throw new Error('a search page takes a position, not skip');
  const scanLimit = query.scanLimit ?? searchScanLimit;
  if (!Number.isSafeInteger(scanLimit) || scanLimit < 1) throw new Error(`a search's scan limit must be a positive whole number, not ${scanLimit}`);
  return scanLimit;
}

/**
 * A search page from the first `limit + 1` matches among the posts it may
 * examine, and the position of the last of those posts when there were
 * `scanLimit` of them (undefined when fewer remained: the list ends there).
 */
export function searchSlice<T>(matches: T[], limit: number, lastExamined: Position | undefined): Slice<T> {
  if (matches.length > limit) return { items: matches.slice(0, limit), hasMore: true };
  return lastExamined === undefined ? { items: matches, hasMore: false } : { items: matches, hasMore: true, continueAfter: lastExamined };
}

/** The value a record is sorted by, for the position after it. */
export function sortValue(post: { publicationDate: Date; createdAt: Date; title: string }, field: PostSortField): Date | string {
  return post[field];
}

/** Code-point order, as every store compares titles here (JavaScript's `<` compares UTF-16 units instead). */
export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const difference = left[i].codePointAt(0)! - right[i].codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}
