import { compareCodePoints } from './listing';

/** How many tags a post may have, and how long a tag may be, in code points after normalization. */
export const maxTagsPerPost = 10;
export const maxTagLength = 32;

/**
 * A tag as every store keeps it: trimmed and lower-cased by Unicode's
 * default, locale-free mapping (so `Ruby` and ` ruby ` are one tag, and
 * `İ` becomes `i̇`, as in any locale).
 */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

/** Normalized, without duplicates, in code-point order: the set as it is stored and served. */
export function tagSet(tags: readonly string[]): string[] {
  return [...new Set(tags.map(normalizeTag))].sort(compareCodePoints);
}

/** A tag and the number of posts that carry it. */
export interface TagCount {
  name: string;
  postCount: number;
}

/** Most used first, then by name in code-point order; `after` is the last tag of the previous page. */
export interface TagQuery {
  limit: number;
  after?: TagCount;
  /** Tags to pass over first, without `after`: the slow path, whose cost grows with it. */
  skip?: number;
}
