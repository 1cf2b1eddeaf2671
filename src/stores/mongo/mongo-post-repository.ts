import { type Filter, ObjectId } from 'mongodb';
import { definedOnly } from '../../domain/changes';
import { InvalidReferenceError, NotAuthorError, NotFoundError, PreconditionFailedError } from '../../domain/errors';
import { type CountFilter, type PostFilter, type PostQuery, type Slice, countable, searchScan, searchSlice, sortValue } from '../../domain/listing';
import { type NewPost, type Post, type PostChanges, postSlug } from '../../domain/post';
import type { FollowRepository, PostRepository } from '../../domain/repositories';
import { foldCase } from '../../domain/search';
import type { WriteCondition } from '../../domain/versions';
import { compareCodePoints } from '../../domain/listing';
import type { Collections, PostDocument, ReadBudget } from './collections';
import { type DocumentWrites, versionFilter } from './document-writes';
import { parseObjectId } from './mongo-id';
import { type StoredPostFilter, lastExamined, postFilter, postPage } from './post-queries';
import { insertForUser, insertForUsers } from './user-reference';
import { type Sequence, insertNumbered, postSlugNumbers } from './sequences';
import { slugNumber, slugSuffix, suffixOfSlug } from '../../domain/slug';

export class MongoPostRepository implements PostRepository {
  constructor(
    private readonly collections: Collections,
    private readonly writes: DocumentWrites,
    private readonly budget: ReadBudget,
    /** Where a feed reads whom its reader follows. */
    private readonly follows: Pick<FollowRepository, 'followeeIds'>,
    /** The store's one `posts` sequence: a copy into the store moves it on, and the block in hand with it. */
    private readonly slugNumbers: Sequence = postSlugNumbers(collections),
  ) {}

  async create(input: NewPost): Promise<Post> {
    const authorId = parseObjectId(input.authorId);
    if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
    const document = newPostDocument(authorId, input, new Date());
    const kept = await insertForUser(
      this.collections,
      authorId,
      () => this.withSlugNumbers([document], () => this.collections.posts.insertOne(document)),
      () => this.collections.posts.deleteOne({ _id: document._id }),
    );
    if (!kept) throw new InvalidReferenceError('authorId', input.authorId);
    return toPost(document);
  }

  /** Gives each document a slug number and inserts them, with new numbers should one be taken (see insertNumbered). */
  private async withSlugNumbers(documents: PostDocument[], insert: () => Promise<unknown>): Promise<void> {
    await insertNumbered(
      this.slugNumbers,
      documents.length,
      (numbers) => documents.forEach((document, i) => (document.slugNumber = numbers[i])),
      insert,
      () => this.collections.posts.deleteMany({ _id: { $in: documents.map(({ _id }) => _id) } }),
    );
  }

  async createMany(inputs: NewPost[]): Promise<void> {
    if (inputs.length === 0) return;
    const now = new Date();
    const documents = inputs.map((input) => {
      const authorId = parseObjectId(input.authorId);
      if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
      return newPostDocument(authorId, input, now);
    });
    const missing = await insertForUsers(
      this.collections,
      documents.map(({ authorId }) => authorId),
      () => this.withSlugNumbers(documents, () => this.collections.posts.insertMany(documents)),
      () => this.collections.posts.deleteMany({ _id: { $in: documents.map(({ _id }) => _id) } }),
    );
    if (missing !== null) throw new InvalidReferenceError('authorId', missing.toHexString());
  }

  async findById(id: string): Promise<Post | null> {
    const _id = parseObjectId(id);
    const document = _id === null ? null : await this.collections.posts.findOne({ _id }, { projection: withoutKeys, ...this.budget });
    return document === null ? null : toPost(document);
  }

  /** By the slug's number (or, for a post stored without one, its `_id`), if the slug is the post's now. */
  async findBySlug(slug: string): Promise<Post | null> {
    const suffix = suffixOfSlug(slug);
    const number = slugNumber(suffix);
    const _id = number === null ? parseObjectId(suffix) : null;
    if (number === null && _id === null) return null;
    const filter: Filter<PostDocument> = number !== null ? { slugNumber: number } : { _id: _id!, slugNumber: { $exists: false } };
    const document = await this.collections.posts.findOne(filter, { projection: withoutKeys, ...this.budget });
    const post = document === null ? null : toPost(document);
    return post !== null && postSlug(post) === slug ? post : null;
  }

  async find(asked: PostQuery): Promise<Slice<Post>> {
    const filter = await this.withFavoritedPosts(asked.filter);
    if (filter === null) return { items: [], hasMore: false };
    const query = { ...asked, filter };
    const scanLimit = searchScan(query);
    const followees = await this.followeesOf(query.filter);
    if (scanLimit !== undefined) {
      // The last post the page may examine, by the sort's index, then the matches up to it.
      const window = lastExamined(query, scanLimit, followees);
      const [last] = window === null ? [] : await this.collections.posts.find(window.filter, { projection: { [query.sort.field]: 1 }, ...this.budget }).sort(window.sort).skip(window.skip).limit(1).toArray();
      const lastPosition = last === undefined ? undefined : { value: sortValue(last, query.sort.field), id: last._id.toHexString() };
      const page = postPage(query, lastPosition, followees);
      const documents = page === null ? [] : await this.collections.posts.find(page.filter, { projection: withoutKeys, ...this.budget }).sort(page.sort).limit(query.limit + 1).toArray();
      return searchSlice(documents.map(toPost), query.limit, lastPosition);
    }
    const page = postPage(query, undefined, followees);
    if (page === null) return { items: [], hasMore: false };
    const documents = await this.collections.posts
      .find(page.filter, { projection: withoutKeys, ...this.budget })
      .sort(page.sort)
      .skip(query.skip ?? 0)
      .limit(query.limit + 1)
      .toArray();
    return { items: documents.slice(0, query.limit).map(toPost), hasMore: documents.length > query.limit };
  }

  async count(asked: CountFilter): Promise<number> {
    const filter = await this.withFavoritedPosts(countable(asked));
    const matching = filter === null ? null : postFilter(filter, await this.followeesOf(filter));
    return matching === null ? 0 : this.collections.posts.countDocuments(matching, this.budget);
  }

  /**
   * A feed's authors: every user its reader follows, in one command before the posts' (no $lookup on
   * FerretDB, and no join to do it in one). Undefined for any other list.
   */
  private async followeesOf({ followedBy }: CountFilter): Promise<ObjectId[] | undefined> {
    if (followedBy === undefined) return undefined;
    return (await this.follows.followeeIds(followedBy)).map((id) => new ObjectId(id));
  }

  async update(id: string, changes: PostChanges, condition: WriteCondition = {}): Promise<Post> {
    const _id = parseObjectId(id);
    if (_id === null) throw new NotFoundError('post', id);
    const filter = writeFilter(_id, condition);
    if (filter === null) throw await this.whyNotWritten(_id, id, condition);
    const document = await this.writes.run(_id, () =>
      this.collections.posts.findOneAndUpdate(
        filter,
        // $max: a writer that read the clock earlier but writes later never moves updatedAt back.
        { $set: definedOnly(storedChanges(changes)), $inc: { version: 1 }, $max: { updatedAt: new Date() } },
        { returnDocument: 'after' },
      ),
    );
    if (document === null) throw await this.whyNotWritten(_id, id, condition);
    return toPost(document);
  }

  async delete(id: string, condition: WriteCondition = {}): Promise<void> {
    const _id = parseObjectId(id);
    if (_id === null) throw new NotFoundError('post', id);
    const filter = writeFilter(_id, condition);
    const { deletedCount } = filter === null ? { deletedCount: 0 } : await this.writes.run(_id, () => this.collections.posts.deleteOne(filter));
    if (deletedCount === 0) {
      const refused = await this.whyNotWritten(_id, id, condition);
      // A delete that stopped after the post went (a crash, a lost connection) is finished by the next one.
      if (refused instanceof NotFoundError) await this.removeDependents(_id);
      throw refused;
    }
    // No foreign key to cascade: the post goes first, so a comment or favorite written meanwhile sees it gone and is taken back.
    await this.removeDependents(_id);
  }

  private async removeDependents(_id: ObjectId): Promise<void> {
    await this.collections.comments.deleteMany({ postId: _id });
    await this.collections.favorites.deleteMany({ '_id.post': _id });
  }

  /**
   * A favoritedBy filter with the ids of the posts the user favorites, read first from the user's index (no
   * $lookup on FerretDB): one more command. Null when the id names no possible user.
   */
  private async withFavoritedPosts(filter: PostFilter): Promise<StoredPostFilter | null> {
    if (filter.favoritedBy === undefined) return filter;
    const user = parseObjectId(filter.favoritedBy);
    if (user === null) return null;
    const favorites = await this.collections.favorites.find({ '_id.user': user }, { projection: { _id: 1 }, ...this.budget }).toArray();
    return { ...filter, favoritedPostIds: favorites.map(({ _id }) => _id.post) };
  }

  /** A conditional write that matched no document: the post is gone, has another author, or another version. */
  private async whyNotWritten(_id: ObjectId, id: string, { authorId }: WriteCondition): Promise<Error> {
    const found = await this.collections.posts.findOne({ _id }, { projection: { authorId: 1 } });
    if (found === null) return new NotFoundError('post', id);
    return authorId !== undefined && found.authorId.toHexString() !== authorId ? new NotAuthorError('post', id) : new PreconditionFailedError('post', id);
  }
}

/** The filter of a write to post `_id` under `condition`; null when no post could match it (an author id no user could have). */
function writeFilter(_id: ObjectId, { expected, authorId }: WriteCondition): Filter<PostDocument> | null {
  if (authorId === undefined) return { _id, ...versionFilter(expected) };
  const author = parseObjectId(authorId);
  return author === null ? null : { _id, authorId: author, ...versionFilter(expected) };
}

/** The document `create` writes for a new post: tags in order, the search keys, version 1, created and updated `now`. */
function newPostDocument(authorId: ObjectId, input: NewPost, now: Date): PostDocument {
  return {
    _id: new ObjectId(),
    authorId,
    title: input.title,
    description: input.description ?? '',
    content: input.content,
    publicationDate: input.publicationDate ?? now,
    createdAt: now,
    updatedAt: now,
    tags: [...(input.tags ?? [])].sort(compareCodePoints),
    titleKey: foldCase(input.title),
    contentKey: foldCase(input.content),
    version: 1,
    favoritesCount: 0,
  };
}

/** The search keys stay in the store: FerretDB cannot project findOneAndUpdate's answer, so toPost leaves them out too. */
export const withoutKeys = { titleKey: 0, contentKey: 0 } as const;

/** The changes as fields of the document: the keys follow the title and content, tags are kept in order. */
function storedChanges({ title, content, tags, ...rest }: PostChanges): Partial<PostDocument> {
  return {
    ...rest,
    ...(title !== undefined && { title, titleKey: foldCase(title) }),
    ...(content !== undefined && { content, contentKey: foldCase(content) }),
    ...(tags !== undefined && { tags: [...tags].sort(compareCodePoints) }),
  };
}

export function toPost(document: Omit<PostDocument, 'titleKey' | 'contentKey'>): Post {
  return {
    id: document._id.toHexString(),
    authorId: document.authorId.toHexString(),
    title: document.title,
    slugSuffix: document.slugNumber === undefined ? document._id.toHexString() : slugSuffix(document.slugNumber),
    description: document.description ?? '',
    content: document.content,
    publicationDate: document.publicationDate,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    tags: document.tags,
    version: document.version,
    // Kept by ordered steps: a moment behind, or off after a crash until repaired; never shown below zero.
    favoritesCount: Math.max(0, document.favoritesCount ?? 0),
  };
}
