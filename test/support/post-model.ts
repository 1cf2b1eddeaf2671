import { type PostFilter, type PostQuery, type PostSort, type Position, type Slice, compareCodePoints, searchScanLimit, sortValue } from '../../src/domain/listing';
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
 * One page by the rules, from `ordered`: the list in its order with every
 * filter but the search applied. A search examines at most `scanLimit` posts
 * after the position and answers the first `limit` matches among them; when
 * it examined that many and found no more, the next page starts after the
 * last one examined.
 */
export function modelPage(ordered: readonly Post[], { sort, filter, limit, after, scanLimit = searchScanLimit }: PostQuery): Slice<Post> {
  const start = after === undefined ? 0 : ordered.findIndex((post) => post.id === after.id) + 1;
  if (start === 0 && after !== undefined) throw new Error('the model walks only from positions of posts in the list');
  const rest = ordered.slice(start);
  if (filter.q === undefined) return { items: rest.slice(0, limit), hasMore: rest.length > limit };
  const examined = rest.slice(0, scanLimit);
  const matches = examined.filter((post) => modelMatches(post, { q: filter.q }));
  if (matches.length > limit) return { items: matches.slice(0, limit), hasMore: true };
  if (examined.length < scanLimit) return { items: matches, hasMore: false };
  const last = examined.at(-1)!;
  return { items: matches, hasMore: true, continueAfter: { value: sortValue(last, sort.field), id: last.id } };
}

/** Where the page after this one starts. */
function nextPosition(slice: Slice<Post>, sort: PostSort): Position {
  if (slice.continueAfter !== undefined) return slice.continueAfter;
  const last = slice.items.at(-1)!;
  return { value: sortValue(last, sort.field), id: last.id };
}

/**
 * Every page of a list through the port, each starting where the one before
 * said (after its last item, or after the last post a search examined);
 * `between` runs after each page (to change the data mid-walk). Checks that
 * pages are full until the last, but for search pages that stopped at their
 * scan limit.
 */
export async function walkPages(
  posts: PostRepository,
  { sort, filter, limit, scanLimit }: Omit<PostQuery, 'after' | 'skip'>,
  between?: (page: number) => Promise<void>,
): Promise<Slice<Post>[]> {
  const pages: Slice<Post>[] = [];
  let after: Position | undefined;
  for (let page = 0; page < 10_000; page += 1) {
    const slice = await posts.find({ sort, filter, limit, after, scanLimit });
    pages.push(slice);
    expect(slice.items.length).toBeLessThanOrEqual(limit);
    if (filter.q === undefined || !slice.hasMore) expect(slice.continueAfter).toBeUndefined();
    if (!slice.hasMore) return pages;
    if (slice.continueAfter === undefined) expect(slice.items).toHaveLength(limit);
    after = nextPosition(slice, sort);
    await between?.(page);
  }
  throw new Error('the walk did not end');
}

/** The same walk by the model, over `ordered` (see modelPage). */
export function modelPages(ordered: readonly Post[], query: Omit<PostQuery, 'after' | 'skip'>): Slice<Post>[] {
  const pages: Slice<Post>[] = [];
  let after: Position | undefined;
  for (;;) {
    const slice = modelPage(ordered, { ...query, after });
    pages.push(slice);
    if (!slice.hasMore) return pages;
    after = nextPosition(slice, query.sort);
  }
}

/** Every item of a walk through the port (see walkPages). */
export async function walkPosts(
  posts: PostRepository,
  sort: PostSort,
  filter: PostFilter,
  limit: number,
  between?: (page: number) => Promise<void>,
  scanLimit?: number,
): Promise<Post[]> {
  return (await walkPages(posts, { sort, filter, limit, scanLimit }, between)).flatMap((slice) => slice.items);
}
