import type { Document } from 'mongodb';
import type { Slice } from '../../domain/listing';
import type { TagRepository } from '../../domain/repositories';
import type { TagCount, TagQuery } from '../../domain/tags';
import type { Collections, ReadBudget } from './collections';

export class MongoTagRepository implements TagRepository {
  constructor(
    private readonly collections: Collections,
    private readonly budget: ReadBudget,
  ) {}

  /** Counted from the posts' tag arrays; names compare as MongoDB compares strings, by UTF-8 bytes (code points). */
  async find({ limit, after, skip }: TagQuery): Promise<Slice<TagCount>> {
    const seek: Document[] =
      after === undefined
        ? []
        : [{ $match: { $or: [{ postCount: { $lt: after.postCount } }, { postCount: after.postCount, _id: { $gt: after.name } }] } }];
    const rows = await this.collections.posts
      .aggregate<{ _id: string; postCount: number }>([
        ...inUse,
        { $group: { _id: '$tags', postCount: { $sum: 1 } } },
        ...seek,
        { $sort: { postCount: -1, _id: 1 } },
        ...(skip ? [{ $skip: skip }] : []),
        { $limit: limit + 1 },
      ], this.budget)
      .toArray();
    const tags = rows.map((row) => ({ name: row._id, postCount: row.postCount }));
    return { items: tags.slice(0, limit), hasMore: tags.length > limit };
  }

  async count(): Promise<number> {
    const [row] = await this.collections.posts
      .aggregate<{ total: number }>([...inUse, { $group: { _id: '$tags' } }, { $group: { _id: null, total: { $sum: 1 } } }])
      .toArray();
    return row?.total ?? 0;
  }
}

/** One document per tag of each post that has any. */
const inUse: Document[] = [{ $match: { 'tags.0': { $exists: true } } }, { $unwind: '$tags' }];
