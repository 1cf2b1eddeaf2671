import type { Filter, ObjectId, Sort } from 'mongodb';
import type { PostFilter, PostQuery } from '../../domain/listing';
import { foldCase } from '../../domain/search';
import type { PostDocument } from './collections';
import { parseObjectId } from './mongo-id';

/** The posts a filter matches; null when it can match none (an authorId no document could have). */
export function postFilter(filter: PostFilter): Filter<PostDocument> | null {
  const query: Filter<PostDocument> = {};
  if (filter.authorId !== undefined) {
    const authorId = parseObjectId(filter.authorId);
    if (authorId === null) return null;
    query.authorId = authorId;
  }
  if (filter.publishedAfter !== undefined || filter.publishedBefore !== undefined) {
    query.publicationDate = {
      ...(filter.publishedAfter !== undefined && { $gt: filter.publishedAfter }),
      ...(filter.publishedBefore !== undefined && { $lt: filter.publishedBefore }),
    };
  }
  if (filter.tags !== undefined && filter.tags.length > 0) query.tags = { $all: filter.tags };
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
 * MongoDB compares strings by their UTF-8 bytes, which is code-point order.
 */
export function postPage({ sort, filter, after }: PostQuery): { filter: Filter<PostDocument>; sort: Sort } | null {
  const matching = postFilter(filter);
  if (matching === null) return null;
  const direction = sort.direction === 'desc' ? -1 : 1;
  if (after === undefined) return { filter: matching, sort: { [sort.field]: direction, _id: direction } };
  const afterId: ObjectId | null = parseObjectId(after.id);
  if (afterId === null) return null;
  const beyond = sort.direction === 'desc' ? '$lt' : '$gt';
  const within = sort.direction === 'desc' ? '$lte' : '$gte';
  // The first term bounds the index range by itself, and the equal value is a branch of its own that
  // bounds it by _id, as in the SQL adapter.
  const seek = {
    [sort.field]: { [within]: after.value },
    $or: [{ [sort.field]: { [beyond]: after.value } }, { [sort.field]: after.value, _id: { [beyond]: afterId } }],
  };
  return { filter: { $and: [matching, seek] } as Filter<PostDocument>, sort: { [sort.field]: direction, _id: direction } };
}
