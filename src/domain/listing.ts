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
  /** Strictly later than this instant. */
  publishedAfter?: Date;
  /** Strictly earlier than this instant. */
  publishedBefore?: Date;
  /** Normalized tags, each of which a post must carry. */
  tags?: string[];
  /** Found in the title or the content, compared case-folded (search.ts); every character stands for itself. */
  q?: string;
}

/** A place in a sorted list: just after the record with this sort value and id (a tag's count and name), in the sort's order. */
export interface Position {
  value: Date | string | number;
  id: string;
}

/**
 * One page of a keyset ("seek") walk: the first `limit` records after
 * `after` (from the start when absent). Its cost does not grow with depth,
 * and records added or removed meanwhile never shift it.
 */
export interface PostQuery {
  sort: PostSort;
  filter: PostFilter;
  limit: number;
  after?: Position;
  /** Records to pass over first, without `after`: the slow path, whose cost grows with it. */
  skip?: number;
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
