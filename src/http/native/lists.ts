import type { Request } from 'express';
import type { AuthoredComment, CommentQuery } from '../../domain/comment';
import { type PostFilter, type PostQuery, type PostSort, type Position, type Slice, type UserQuery, searchScanLimit, sortValue } from '../../domain/listing';
import type { Post } from '../../domain/post';
import type { User } from '../../domain/user';
import { maxTagLength, normalizeTag, tagSet, type TagCount, type TagQuery } from '../../domain/tags';
import type { FavoriteQuery, FavoritedPost } from '../../domain/favorites';
import type { FollowQuery, FollowedUser } from '../../domain/follows';
import { AuthorPostListQuery, CursorQuery, ListQuery, PostListQuery, postSortNames } from './bodies/list.queries';
import { decodeCursor, encodeCursor, invalidCursor } from './cursors';
import { parseTimestamp } from '../field-rules';
import { HttpProblem } from '../problem';
import { parseQuery } from '../validation';

const defaultLimit = 20;

/** A list request as the routes take it: the store's query, whether to count, and the list's identity for cursors. */
export interface ListRequest<Query> {
  query: Query;
  count: boolean;
  /** What a cursor of this list is checked against: route, sort and filters. */
  list: string;
}

/** `GET /posts` (any author, or `authorId`) or `GET /users/:id/posts` (`author` from the path). */
export function parsePostList(req: Request, route: string, author?: string): ListRequest<PostQuery> {
  const params = author === undefined ? parseQuery(PostListQuery, req) : parseQuery(AuthorPostListQuery, req);
  const sortName = (params.sort ?? '-publicationDate') as (typeof postSortNames)[number];
  const sort: PostSort = { field: sortName.replace(/^-/, '') as PostSort['field'], direction: sortName.startsWith('-') ? 'desc' : 'asc' };
  const filter: PostFilter = {
    authorId: author ?? (params as PostListQuery).authorId,
    publishedAfter: timestamp(params.publishedAfter),
    publishedBefore: timestamp(params.publishedBefore),
    tags: params.tag === undefined ? undefined : tagSet(typeof params.tag === 'string' ? [params.tag] : params.tag),
    q: params.q,
    favoritedBy: (params as PostListQuery).favoritedBy,
  };
  const favoritedBy = filter.favoritedBy === undefined ? '' : ` favoritedBy=${JSON.stringify(filter.favoritedBy)}`;
  const list = `${route} sort=${sortName} ${JSON.stringify([filter.authorId, filter.publishedAfter, filter.publishedBefore, filter.tags, filter.q])}${favoritedBy}`;
  const { limit, skip, after, count } = paging(params, list);
  if (filter.q !== undefined) refuseWithSearch({ count, skip });
  // A cursor made for this list carries a value of its sort's type; a forged one may not.
  if (after !== undefined && (sort.field === 'title' ? typeof after.value !== 'string' : !(after.value instanceof Date))) throw invalidCursor();
  return { query: { sort, filter, limit, after, skip }, count, list };
}

export function parseUserList(req: Request): ListRequest<UserQuery> {
  const list = 'GET /users';
  const { limit, skip, after, count } = paging(parseQuery(ListQuery, req), list);
  return { query: { limit, skip, afterId: after?.id }, count, list };
}

/** `GET /posts/:id/comments`: oldest first; a cursor holds the last comment's createdAt and id. */
export function parseCommentList(req: Request, postId: string): ListRequest<CommentQuery> {
  const list = `GET /posts/${postId}/comments`;
  const { limit, after } = pageByTime(req, list);
  return { query: { postId, limit, after }, count: false, list };
}

export function commentPosition(comment: AuthoredComment): Position {
  return { value: comment.createdAt, id: comment.id };
}

/**
 * `GET /users/:id/followers` and `/following`: newest follow first; a cursor holds when the last one was
 * followed and the other user's id. Only `limit` and `cursor`: a follow list has no total and no skip.
 */
export function parseFollowList(req: Request, route: string, userId: string): ListRequest<FollowQuery> {
  const { limit, after } = pageByTime(req, route);
  return { query: { userId, limit, after }, count: false, list: route };
}

export function followPosition({ user, followedAt }: FollowedUser): Position {
  return { value: followedAt, id: user.id };
}

/**
 * `GET /users/:id/favorites`: most recently favorited first; a cursor holds when the last post was favorited
 * and its id. Only `limit` and `cursor`, as for follow lists.
 */
export function parseFavoriteList(req: Request, route: string, userId: string): ListRequest<FavoriteQuery> {
  const { limit, after } = pageByTime(req, route);
  return { query: { userId, limit, after }, count: false, list: route };
}

export function favoritePosition({ post, favoritedAt }: FavoritedPost): Position {
  return { value: favoritedAt, id: post.id };
}

/** `limit` and `cursor` only, of a list ordered by an instant and an id: comments, follows and favorites. */
function pageByTime(req: Request, list: string): { limit: number; after?: { value: Date; id: string } } {
  const { limit, after } = paging(parseQuery(CursorQuery, req), list);
  if (after !== undefined && !(after.value instanceof Date)) throw invalidCursor();
  return { limit, after: after as { value: Date; id: string } | undefined };
}

/** `GET /tags`: most used first; a cursor holds the last tag's count and name. */
export function parseTagList(req: Request): ListRequest<TagQuery> {
  const list = 'GET /tags';
  const { limit, skip, after: position, count } = paging(parseQuery(ListQuery, req), list);
  if (position !== undefined && (typeof position.value !== 'number' || !isStoredTag(position.id))) throw invalidCursor();
  const after = position === undefined ? undefined : { postCount: position.value as number, name: position.id };
  return { query: { limit, skip, after }, count, list };
}

/** A name as tags are stored: normalized, 1 to 32 code points, without control characters. */
function isStoredTag(name: string): boolean {
  return normalizeTag(name) === name && [...name].length <= maxTagLength && !/\p{Cc}/u.test(name);
}

export function tagPosition(tag: TagCount): Position {
  return { value: tag.postCount, id: tag.name };
}

function paging(params: ListQuery, list: string) {
  if (params.cursor !== undefined && params.skip !== undefined) {
    const message = 'use cursor or skip, not both';
    throw new HttpProblem(400, `query is invalid: ${message}`, [{ field: 'skip', message }]);
  }
  return {
    limit: params.limit === undefined ? defaultLimit : Number(params.limit),
    skip: params.skip === undefined ? undefined : Number(params.skip),
    after: params.cursor === undefined ? undefined : decodeCursor(params.cursor, list),
    count: params.count === 'true',
  };
}

/**
 * A search examines a bounded number of posts a page (searchScanLimit): a
 * total would examine every post, and so would an offset (it counts matches).
 */
function refuseWithSearch({ count, skip }: { count: boolean; skip?: number }) {
  const refused = count ? 'count' : skip !== undefined ? 'skip' : undefined;
  if (refused === undefined) return;
  const message = `${refused} cannot be combined with q: a search examines at most ${searchScanLimit} posts a page; read on by nextCursor until it is null`;
  throw new HttpProblem(400, `query is invalid: ${message}`, [{ field: refused, message }]);
}

/** Already checked by the query's rules. */
function timestamp(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : (parseTimestamp(value) ?? undefined);
}

/** A page as the API answers it: the items, and the cursor of the next page (null on the last). */
export function listJson<T, J>(
  slice: Slice<T>,
  toJson: (item: T) => J,
  { query, list }: ListRequest<{ limit: number }>,
  position: (item: T) => Position,
  total: number | undefined,
) {
  const last = slice.items.at(-1);
  // A search page that examined its whole scan limit goes on from the last post examined, not the last found.
  const next = slice.continueAfter ?? (last === undefined ? undefined : position(last));
  return {
    items: slice.items.map(toJson),
    limit: query.limit,
    nextCursor: slice.hasMore && next !== undefined ? encodeCursor(next, list) : null,
    ...(total !== undefined && { total }),
  };
}

export function postPosition(sort: PostSort): (post: Post) => Position {
  return (post) => ({ value: sortValue(post, sort.field), id: post.id });
}

export function userPosition(user: User): Position {
  return { value: user.id, id: user.id };
}
