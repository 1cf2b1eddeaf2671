import { type Filter, ObjectId, type Sort } from 'mongodb';
import type { PostFilter, PostQuery, PostSort, Position } from '../../domain/listing';
import { foldCase } from '../../domain/search';
import type { PostDocument } from './collections';
import { parseObjectId } from './mongo-id';

/** A filter whose favoritedBy was read into the ids of the posts the user favorites (MongoPostRepository). */
export type StoredPostFilter = PostFilter & { favoritedPostIds?: ObjectId[] };

/**
 * The posts a filter matches; null when it can match none (an authorId no document could have). A feed
 * (`followedBy`) needs `followees`, the ids of the users its reader follows, read before: one `$in`.
 */
export function postFilter(filter: StoredPostFilter, followees?: readonly ObjectId[]): Filter<PostDocument> | null {
  const query: Filter<PostDocument> = {};
  if (filter.authorId !== undefined) {
    const authorId = parseObjectId(filter.authorId);
    if (authorId === null) return null;
    query.authorId = authorId;
  }
  if (filter.followedBy !== undefined) {
    if (followees === undefined) throw new Error("a feed's filter needs the followees, read before it");
    const { authorId } = query;
    // With an authorId too: that author, if followed, so that the author's own index serves the page.
    const authors = authorId instanceof ObjectId ? followees.filter((id) => id.equals(authorId)) : followees;
    if (authors.length === 0) return null;
    query.authorId = { $in: [...authors] };
  }
  if (filter.publishedAfter !== undefined || filter.publishedBefore !== undefined) {
    query.publicationDate = {
      ...(filter.publishedAfter !== undefined && { $gt: filter.publishedAfter }),
      ...(filter.publishedBefore !== undefined && { $lt: filter.publishedBefore }),
    };
  }
  if (filter.tags !== undefined && filter.tags.length > 0) query.tags = { $all: filter.tags };
  if (filter.favoritedBy !== undefined) {
    if (filter.favoritedPostIds === undefined) throw new Error('favoritedBy is read into post ids before the filter is built');
    query._id = { $in: filter.favoritedPostIds };
  }
  if (filter.q !== undefined) {
    // A regular expression of the folded query with every character escaped: a substring, compared exactly.
    const pattern = escapeRegExp(foldCase(filter.q));
    query.$or = [{ titleKey: { $regex: pattern } }, { contentKey: { $regex: pattern } }];
  }
  return query;
}

/** Every character that means something in a MongoDB (PCRE) or FerretDB (Go) regular expression, escaped. */
function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, (character) => `\\${character}`);
}

/**
 * One keyset page: `(value, _id)` beyond the position, in the sort's order.
 * MongoDB compares strings by their UTF-8 bytes, which is code-point order. A
 * search page reads no further than `upTo`, the last post it may examine
 * (see lastExamined), when there is one.
 */
export function postPage({ sort, filter, after }: PostQuery, upTo?: Position, followees?: readonly ObjectId[]): { filter: Filter<PostDocument>; sort: Sort } | null {
  const matching = postFilter(filter, followees);
  if (matching === null) return null;
  const direction = sort.direction === 'desc' ? -1 : 1;
  const bounds: Filter<PostDocument>[] = [];
  for (const [position, before] of [[after, false], [upTo, true]] as const) {
    if (position === undefined) continue;
    const bound = seek(sort, position, before);
    if (bound === null) return null;
    bounds.push(bound);
  }
  const order: Sort = { [sort.field]: direction, _id: direction };
  return { filter: bounds.length === 0 ? matching : ({ $and: [matching, ...bounds] } as Filter<PostDocument>), sort: order };
}

/**
 * The last post a search page may examine: the `scanLimit`-th after the
 * page's position that the filters other than the search match.
 */
export function lastExamined(query: PostQuery, scanLimit: number, followees?: readonly ObjectId[]): { filter: Filter<PostDocument>; sort: Sort; skip: number } | null {
  const page = postPage({ ...query, filter: { ...query.filter, q: undefined } }, undefined, followees);
  return page === null ? null : { ...page, skip: scanLimit - 1 };
}

/**
 * The documents beyond a position in the sort's order; with `upTo`, those
 * before it and the one at it. The first term bounds the index range by
 * itself, and the equal value is a branch of its own that bounds it by _id,
 * as in the SQL adapter.
 */
function seek(sort: PostSort, position: Position, upTo: boolean): Filter<PostDocument> | null {
  const id: ObjectId | null = parseObjectId(position.id);
  if (id === null) return null;
  const beyond = (sort.direction === 'desc') !== upTo ? '$lt' : '$gt';
  return {
    [sort.field]: { [`${beyond}e`]: position.value },
    $or: [{ [sort.field]: { [beyond]: position.value } }, { [sort.field]: position.value, _id: { [upTo ? `${beyond}e` : beyond]: id } }],
  } as Filter<PostDocument>;
}
