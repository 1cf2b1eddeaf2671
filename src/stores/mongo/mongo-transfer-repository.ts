import { type Collection, type Document, type Filter, MongoBulkWriteError, type ObjectId, type OptionalUnlessRequiredId } from 'mongodb';
import { ConflictError } from '../../domain/errors';
import type { TransferRepository } from '../../domain/repositories';
import type { CopiedComment, CopiedFavorite, CopiedFollow, CopiedPost, CopiedRecords, CopiedUser, CopyProgress, IdFamily, IdentifiedKind, RecordKind, RecordPage } from '../../domain/transfer';
import type { Collections, CommentDocument, FavoriteDocument, FollowDocument } from './collections';
import { copiedComment, copiedFavorite, copiedFollow, copiedPost, copiedUser, movedIdKey, movedObjectId, postDocument, userDocument } from './copied-documents';
import { recountFavorites } from './favorite-counts';
import { inBatches } from './in-batches';
import { isDuplicateKey } from './mongo-errors';
import { parseObjectId } from './mongo-id';
import type { Sequence } from './sequences';

/** The one copy_progress document's `_id`: its insert is the lock that lets one copy begin. */
const progressId = 'copy';

/** The sequences a copy moves past the numbers it keeps: the ones the store's repositories number from. */
export interface CopyNumbering {
  posts: Sequence;
  comments: Sequence;
}

/** How many moved ids a copy keeps in memory between batches: the most recently written, beyond one batch's needs. */
const movedIdsKept = 200_000;

/**
 * A copy into and out of MongoDB without a transaction (FerretDB has none): every write of a batch is an
 * insert of documents whose `_id`s the batch alone decides (the source's ObjectIds, or ids derived from the
 * old ones: movedObjectId), so a batch written again after a crash finds its documents there (duplicate key)
 * and writes nothing twice; the position is kept only after the batch is in. Reads page by `_id`: FerretDB
 * 1.24 sorts in memory (no sort pushdown), so each page costs a scan of the collection there.
 */
export class MongoTransferRepository implements TransferRepository {
  /**
   * The moved ids of records this process wrote, the newest last, so that a batch referring to them (a post
   * to its author) asks moved_ids only for those it has not seen. On FerretDB, which does not serve `$in` from
   * the `_id` index, each such look-up reads the whole collection.
   */
  private readonly movedIds = new Map<string, ObjectId>();

  constructor(
    private readonly collections: Collections,
    private readonly numbering: CopyNumbering,
  ) {}

  async read<K extends RecordKind>(kind: K, after: string | null, limit: number): Promise<RecordPage<K>> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`a page of ${kind} needs a positive limit, not ${limit}`);
    const page = await this.readPage(kind, after, limit);
    return page as RecordPage<K>;
  }

  /** One more than `limit` is read, so the last page says so (next: null) rather than leave an empty one to read. */
  private async readPage(kind: RecordKind, after: string | null, limit: number): Promise<RecordPage<RecordKind>> {
    const { users, posts, comments, follows, favorites } = this.collections;
    switch (kind) {
      case 'users':
        return pageOf(await users.find(afterId(after)).sort({ _id: 1 }).limit(limit + 1).toArray(), limit, copiedUser, ({ _id }) => _id.toHexString());
      case 'posts':
        return pageOf(await posts.find(afterId(after), { projection: { titleKey: 0, contentKey: 0 } }).sort({ _id: 1 }).limit(limit + 1).toArray(), limit, copiedPost, ({ _id }) => _id.toHexString());
      case 'comments':
        return pageOf(await comments.find(afterId(after)).sort({ _id: 1 }).limit(limit + 1).toArray(), limit, copiedComment, ({ _id }) => _id.toHexString());
      case 'follows': {
        const filter = afterPair<FollowDocument>(after, 'follower', 'followee');
        const found = await follows.find(filter).sort({ '_id.follower': 1, '_id.followee': 1 }).limit(limit + 1).toArray();
        return pageOf(found, limit, copiedFollow, ({ _id }) => pairPosition(_id.follower, _id.followee));
      }
      case 'favorites': {
        const filter = afterPair<FavoriteDocument>(after, 'user', 'post');
        const found = await favorites.find(filter).sort({ '_id.user': 1, '_id.post': 1 }).limit(limit + 1).toArray();
        return pageOf(found, limit, copiedFavorite, ({ _id }) => pairPosition(_id.user, _id.post));
      }
    }
  }

  /** One cursor over the collection, in the server's own order: nothing to sort. */
  async *scan<K extends RecordKind>(kind: K, batch: number): AsyncIterable<CopiedRecords[K][]> {
    const { users, posts, comments, follows, favorites } = this.collections;
    const cursors = {
      users: () => mapped(users.find({}, { batchSize: batch }), copiedUser),
      posts: () => mapped(posts.find({}, { projection: { titleKey: 0, contentKey: 0 }, batchSize: batch }), copiedPost),
      comments: () => mapped(comments.find({}, { batchSize: batch }), copiedComment),
      follows: () => mapped(follows.find({}, { batchSize: batch }), copiedFollow),
      favorites: () => mapped(favorites.find({}, { batchSize: batch }), copiedFavorite),
    };
    yield* inBatches(cursors[kind]() as AsyncIterable<CopiedRecords[K]>, batch);
  }

  count(kind: RecordKind): Promise<number> {
    return (this.collections[kind] as unknown as Collection<Document>).countDocuments({});
  }

  async progress(): Promise<CopyProgress | null> {
    const document = await this.collections.copyProgress.findOne({ _id: progressId });
    if (document === null) return null;
    const { source, sourceFamily, positions, finished } = document;
    return { source, sourceFamily, positions, finished };
  }

  /**
   * Looks for a record of each kind and for a copy's progress, then inserts the progress under its fixed
   * `_id`: of two copies beginning at once, the second insert is refused. A record written by the service
   * between the look and the insert is not seen: a copy's target is a store nobody uses yet.
   */
  async begin({ source, sourceFamily }: Omit<CopyProgress, 'positions' | 'finished'>): Promise<void> {
    for (const kind of ['users', 'posts', 'follows', 'favorites', 'comments'] as const) {
      const held = await (this.collections[kind] as unknown as Collection<Document>).findOne({}, { projection: { _id: 1 } });
      if (held !== null) throw copyConflict(`this store holds ${kind} already: a copy needs an empty store`);
    }
    if ((await this.progress()) !== null) throw copyConflict('another copy into this store has begun');
    try {
      await this.collections.copyProgress.insertOne({ _id: progressId, source, sourceFamily, positions: {}, finished: false });
    } catch (error) {
      if (isDuplicateKey(error)) throw copyConflict('another copy into this store has begun');
      throw error;
    }
  }

  /**
   * The map from old ids first (written again as they are), then the documents, then the position: a crash
   * anywhere leaves the position before this batch, and the batch written again inserts only what is missing.
   */
  async write<K extends RecordKind>(kind: K, records: CopiedRecords[K][], position: string | null): Promise<void> {
    const progress = await this.progress();
    if (progress === null) throw copyConflict('no copy into this store has begun');
    if (records.length > 0) {
      const ids = new Ids(this.collections, progress.sourceFamily, this.movedIds);
      await this.writeBatch(kind, records, ids);
      // Only once the batch is written: an id issued for a record that failed to arrive names nothing.
      ids.keepIssued(movedIdsKept);
    }
    await this.collections.copyProgress.updateOne({ _id: progressId }, { $set: { [`positions.${kind}`]: position } });
  }

  private async writeBatch(kind: RecordKind, records: CopiedRecords[RecordKind][], ids: Ids): Promise<void> {
    const { users, posts, comments, follows, favorites } = this.collections;
    switch (kind) {
      case 'users': {
        const batch = records as CopiedUser[];
        await ids.issue('users', batch);
        return insertNew(users, batch.map((user) => userDocument(ids.of('users', user.id), user)));
      }
      case 'posts': {
        const batch = records as CopiedPost[];
        await ids.issue('posts', batch);
        await ids.find('users', batch.map(({ authorId }) => authorId));
        return insertNew(posts, batch.map((post) => postDocument(ids.of('posts', post.id), ids.of('users', post.authorId), post)));
      }
      case 'follows': {
        const batch = records as CopiedFollow[];
        await ids.find('users', batch.flatMap(({ followerId, followeeId }) => [followerId, followeeId]));
        return insertNew(follows, batch.map(({ followerId, followeeId, createdAt }) => ({ _id: { follower: ids.of('users', followerId), followee: ids.of('users', followeeId) }, createdAt })));
      }
      case 'favorites': {
        const batch = records as CopiedFavorite[];
        await Promise.all([ids.find('users', batch.map(({ userId }) => userId)), ids.find('posts', batch.map(({ postId }) => postId))]);
        return insertNew(favorites, batch.map(({ userId, postId, createdAt }) => ({ _id: { user: ids.of('users', userId), post: ids.of('posts', postId) }, createdAt })));
      }
      case 'comments': {
        const batch = records as CopiedComment[];
        await ids.issue('comments', batch);
        await Promise.all([ids.find('users', batch.map(({ authorId }) => authorId)), ids.find('posts', batch.map(({ postId }) => postId))]);
        // Each comment keeps its post's author (CommentDocument): the posts are written, so read here.
        const postIds = batch.map(({ postId }) => ids.of('posts', postId));
        const authorOf = new Map((await posts.find({ _id: { $in: postIds } }, { projection: { authorId: 1 } }).toArray()).map(({ _id, authorId }) => [_id.toHexString(), authorId]));
        const documents: CommentDocument[] = batch.map((comment) => {
          const postId = ids.of('posts', comment.postId);
          const postAuthorId = authorOf.get(postId.toHexString());
          if (postAuthorId === undefined) throw new Error(`comment ${comment.id} is on post ${comment.postId}, which was not copied`);
          const { number, content, createdAt, updatedAt } = comment;
          return { _id: ids.of('comments', comment.id), number, postId, postAuthorId, authorId: ids.of('users', comment.authorId), content, createdAt, updatedAt };
        });
        return insertNew(comments, documents);
      }
    }
  }

  /**
   * Moves the `posts` and `comments` counters up to the largest number copied ($max: never back), drops the
   * block of numbers this process holds (it may lie below them), recounts every post's favorites, and marks
   * the copy finished. Each step gives the same result run again. Another process holding a block of its own
   * keeps drawing from it: the unique indexes on the numbers refuse a number taken twice, and that process
   * then reserves past them (insertNumbered).
   */
  async finish(): Promise<void> {
    if ((await this.progress()) === null) throw copyConflict('no copy into this store has begun');
    const { posts, comments } = this.collections;
    const [lastPost] = await posts.find({ slugNumber: { $exists: true } }, { projection: { slugNumber: 1 } }).sort({ slugNumber: -1, _id: -1 }).limit(1).toArray();
    const [lastComment] = await comments.find({ number: { $exists: true } }, { projection: { number: 1 } }).sort({ number: -1, _id: -1 }).limit(1).toArray();
    await this.moveCounterPast('posts', lastPost?.slugNumber);
    await this.moveCounterPast('comments', lastComment?.number);
    this.numbering.posts.skipBlock();
    this.numbering.comments.skipBlock();
    await recountFavorites(this.collections);
    await this.collections.copyProgress.updateOne({ _id: progressId }, { $set: { finished: true } });
  }

  private async moveCounterPast(name: 'posts' | 'comments', number: number | undefined): Promise<void> {
    if (number === undefined) return;
    const move = () => this.collections.counters.updateOne({ _id: name }, { $max: { value: number } }, { upsert: true });
    try {
      await move();
    } catch (error) {
      // Two upserts of a missing counter at once: the one refused finds it there now.
      if (!isDuplicateKey(error)) throw error;
      await move();
    }
  }

  async *moves(kind: IdentifiedKind, batch: number): AsyncIterable<[string, string][]> {
    // The keys of one kind are the strings from `kind:` up to, not including, `kind;` (';' follows ':').
    const ofKind = { _id: { $gte: movedIdKey(kind, ''), $lt: `${kind};` } };
    const moved = mapped(this.collections.movedIds.find(ofKind, { batchSize: batch }), ({ _id, newId }): [string, string] => [_id.slice(kind.length + 1), newId.toHexString()]);
    yield* inBatches(moved, batch);
  }

  async movedId(kind: IdentifiedKind, oldId: string): Promise<string | null> {
    // Only a SQL source's ids are moved here: anything else (an ObjectId of this store's own, a typo) is not looked up.
    if (!/^[1-9][0-9]{0,15}$/.test(oldId)) return null;
    const moved = await this.collections.movedIds.findOne({ _id: movedIdKey(kind, oldId) });
    return moved === null ? null : moved.newId.toHexString();
  }
}

/**
 * The ids here of one batch's records and of those they refer to. From a source of this family, the source's
 * own ObjectIds. From the other, ids derived from the old ones (movedObjectId), each recorded in moved_ids; a
 * reference is translated by the record there, as the referenced record's creation time, part of its id, is
 * not in the reference: one read per batch and kind, which also finds a reference to a record never copied,
 * for the references that no earlier batch of this process wrote.
 */
class Ids {
  private readonly known = new Map<string, ObjectId>();
  private readonly issued: [string, ObjectId][] = [];

  constructor(
    private readonly collections: Pick<Collections, 'movedIds'>,
    private readonly family: IdFamily,
    /** Ids of records written by earlier batches, which need no look-up. */
    private readonly written: Map<string, ObjectId>,
  ) {}

  /** Adds the ids this batch issued to `written`, dropping the oldest beyond `limit`. */
  keepIssued(limit: number): void {
    for (const [key, id] of this.issued) this.written.set(key, id);
    for (const key of this.written.keys()) {
      if (this.written.size <= limit) break;
      this.written.delete(key);
    }
  }

  /** Ids for new records of `kind`; from the other family, recorded in moved_ids before any document is written. */
  async issue(kind: IdentifiedKind, records: readonly { id: string; createdAt: Date }[]): Promise<void> {
    if (this.family === 'mongodb') {
      for (const { id } of records) this.known.set(movedIdKey(kind, id), sourceObjectId(kind, id));
      return;
    }
    const moved = records.map(({ id, createdAt }) => ({ _id: movedIdKey(kind, id), newId: movedObjectId(kind, id, createdAt) }));
    for (const { _id, newId } of moved) {
      this.known.set(_id, newId);
      this.issued.push([_id, newId]);
    }
    await insertNew(this.collections.movedIds, moved);
  }

  /** The ids here of records of `kind` written by earlier batches. */
  async find(kind: IdentifiedKind, oldIds: readonly string[]): Promise<void> {
    const keys = [...new Set(oldIds.map((id) => movedIdKey(kind, id)))].filter((key) => !this.known.has(key));
    if (keys.length === 0) return;
    if (this.family === 'mongodb') {
      for (const id of oldIds) this.known.set(movedIdKey(kind, id), sourceObjectId(kind, id));
      return;
    }
    const unseen = keys.filter((key) => {
      const id = this.written.get(key);
      if (id !== undefined) this.known.set(key, id);
      return id === undefined;
    });
    if (unseen.length === 0) return;
    const found = await this.collections.movedIds.find({ _id: { $in: unseen } }).toArray();
    for (const { _id, newId } of found) this.known.set(_id, newId);
  }

  /** The id here of the record of `kind` with `oldId`, issued or found before. */
  of(kind: IdentifiedKind, oldId: string): ObjectId {
    const id = this.known.get(movedIdKey(kind, oldId));
    if (id === undefined) throw new Error(`${kind} ${oldId} is referred to but was not copied`);
    return id;
  }
}

/** An id from a MongoDB source: an ObjectId in hex, or the source is not what the copy says it is. */
function sourceObjectId(kind: IdentifiedKind, id: string): ObjectId {
  const _id = parseObjectId(id);
  if (_id === null) throw new Error(`${kind} ${id} is not an ObjectId, as a record from a MongoDB source must have`);
  return _id;
}

/**
 * Inserts the documents not there yet: unordered, so that every document is tried, and a duplicate key only is
 * taken for "written before". A document refused as a duplicate must then be there under its own `_id`: one
 * refused by another unique index (an email, a slug or comment number held by another record) would be lost,
 * and is an error instead.
 */
async function insertNew<T extends { _id: unknown }>(collection: Collection<T>, documents: OptionalUnlessRequiredId<T>[]): Promise<void> {
  if (documents.length === 0) return;
  try {
    await collection.insertMany(documents, { ordered: false });
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError) || error.result.getWriteConcernError() !== undefined) throw error;
    const refused = error.result.getWriteErrors();
    if (refused.length === 0 || refused.some(({ code }) => code !== 11000)) throw error;
    const refusedIds = refused.map(({ index }) => (documents[index] as { _id: unknown })._id);
    const there = await collection.countDocuments({ _id: { $in: refusedIds } } as Filter<T>);
    if (there !== refusedIds.length) {
      throw new Error(`${collection.collectionName}: ${refusedIds.length - there} of the records copied conflict with other records on a unique field`);
    }
  }
}

function copyConflict(message: string): ConflictError {
  return Object.assign(new ConflictError('copy', 'target'), { message });
}

/** The documents after the position (an `_id` in hex), of any collection keyed by ObjectId. */
function afterId(after: string | null): Filter<{ _id: ObjectId }> {
  if (after === null) return {};
  return { _id: { $gt: position(after) } };
}

/**
 * The pairs after the position, by the pair's first id and then its second. Compared field by field: the
 * `_id` sub-document as a whole is not ordered the same way by every store (see tools/repair).
 */
function afterPair<T extends FollowDocument | FavoriteDocument>(after: string | null, first: string, second: string): Filter<T> {
  if (after === null) return {};
  const ids = after.split(':');
  if (ids.length !== 2) throw new Error(`${JSON.stringify(after)} is not a position this store gave`);
  const [firstId, secondId] = ids.map(position);
  return { $or: [{ [`_id.${first}`]: { $gt: firstId } }, { [`_id.${first}`]: firstId, [`_id.${second}`]: { $gt: secondId } }] } as Filter<T>;
}

function position(text: string): ObjectId {
  const id = parseObjectId(text);
  if (id === null) throw new Error(`${JSON.stringify(text)} is not a position this store gave`);
  return id;
}

function pairPosition(first: ObjectId, second: ObjectId): string {
  return `${first.toHexString()}:${second.toHexString()}`;
}

function pageOf<D, R>(documents: D[], limit: number, toRecord: (document: D) => R, positionOf: (document: D) => string): { records: R[]; next: string | null } {
  const page = documents.slice(0, limit);
  return { records: page.map(toRecord), next: documents.length > limit ? positionOf(page.at(-1)!) : null };
}

/** The records of a cursor's documents, as they come. */
async function* mapped<D, R>(cursor: AsyncIterable<D>, record: (document: D) => R): AsyncIterable<R> {
  for await (const document of cursor) yield record(document);
}
