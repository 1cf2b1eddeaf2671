import { type PostFilter, type PostSort, type Position, compareCodePoints, sortValue } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import type { PostRepository } from '../../src/domain/repositories';
import { foldCase } from '../../src/domain/search';

/**
 * The listing rules, in memory: what every store must answer. Ties on the
 * sort value go by creation order (`rank`), which is id order on every store.
 */
export function modelOrder(items: readonly Post[], { field, direction }: PostSort, rank: (post: Post) => number): Post[] {
  const sign = direction === 'desc' ? -1 : 1;
  return [...items].sort((a, b) => {
    const [x, y] = [sortValue(a, field), sortValue(b, field)];
    const byValue = typeof x === 'string' ? compareCodePoints(x, y as string) : (x as Date).getTime() - (y as Date).getTime();
    return sign * (byValue !== 0 ? byValue : rank(a) - rank(b));
  });
}

/** Whether a post matches a filter, by the rules and not by any store. */
export function modelMatches(post: Post, filter: PostFilter): boolean {
  if (filter.authorId !== undefined && post.authorId !== filter.authorId) return false;
  if (filter.publishedAfter !== undefined && !(post.publicationDate > filter.publishedAfter)) return false;
  if (filter.publishedBefore !== undefined && !(post.publicationDate < filter.publishedBefore)) return false;
  if (filter.tags !== undefined && !filter.tags.every((tag) => post.tags.includes(tag))) return false;
  if (filter.q !== undefined) {
    const q = foldCase(filter.q);
    if (!foldCase(post.title).includes(q) && !foldCase(post.content).includes(q)) return false;
  }
  return true;
}

/** Creation order of `created`, as a rank for modelOrder. */
export function creationRank(created: readonly Post[]): (post: Post) => number {
  const rank = new Map(created.map((post, i) => [post.id, i]));
  return (post) => rank.get(post.id)!;
}

/**
 * Every page of a list through the port, each starting after the last item
 * of the one before; `between` runs after each page (to change the data
 * mid-walk). Checks that pages are full until the last.
 */
export async function walkPosts(
  posts: PostRepository,
  sort: PostSort,
  filter: PostFilter,
  limit: number,
  between?: (page: number) => Promise<void>,
): Promise<Post[]> {
  const seen: Post[] = [];
  let after: Position | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const slice = await posts.find({ sort, filter, limit, after });
    expect(slice.items.length).toBeLessThanOrEqual(limit);
    seen.push(...slice.items);
    if (!slice.hasMore) return seen;
    expect(slice.items).toHaveLength(limit);
    const last = slice.items.at(-1)!;
    after = { value: sortValue(last, sort.field), id: last.id };
    await between?.(page);
  }
  throw new Error('the walk did not end');
}
