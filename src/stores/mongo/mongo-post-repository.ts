import { type Filter, ObjectId } from 'mongodb';
import { definedOnly } from '../../domain/changes';
import { InvalidReferenceError, NotFoundError, PreconditionFailedError } from '../../domain/errors';
import type { Page, PageRequest } from '../../domain/page';
import type { NewPost, Post, PostChanges } from '../../domain/post';
import type { PostRepository } from '../../domain/repositories';
import type { ExpectedVersions } from '../../domain/versions';
import { type Collections, type PostDocument, newestFirst } from './collections';
import { type DocumentWrites, versionFilter } from './document-writes';
import { parseObjectId } from './mongo-id';
import { insertForUser } from './user-reference';

export class MongoPostRepository implements PostRepository {
  constructor(
    private readonly collections: Collections,
    private readonly writes: DocumentWrites,
  ) {}

  async create(input: NewPost): Promise<Post> {
    const authorId = parseObjectId(input.authorId);
    if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
    const now = new Date();
    const document: PostDocument = {
      _id: new ObjectId(),
      authorId,
      title: input.title,
      content: input.content,
      publicationDate: input.publicationDate ?? now,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    const kept = await insertForUser(
      this.collections,
      authorId,
      () => this.collections.posts.insertOne(document),
      () => this.collections.posts.deleteOne({ _id: document._id }),
    );
    if (!kept) throw new InvalidReferenceError('authorId', input.authorId);
    return toPost(document);
  }

  async findById(id: string): Promise<Post | null> {
    const _id = parseObjectId(id);
    const document = _id === null ? null : await this.collections.posts.findOne({ _id });
    return document === null ? null : toPost(document);
  }

  list(page: PageRequest): Promise<Page<Post>> {
    return this.page({}, page);
  }

  async listByAuthor(authorId: string, page: PageRequest): Promise<Page<Post>> {
    const _id = parseObjectId(authorId);
    if (_id === null) return { items: [], ...page, total: 0 };
    return this.page({ authorId: _id }, page);
  }

  async update(id: string, changes: PostChanges, expected?: ExpectedVersions): Promise<Post> {
    const _id = parseObjectId(id);
    if (_id === null) throw new NotFoundError('post', id);
    const document = await this.writes.run(_id, () =>
      this.collections.posts.findOneAndUpdate(
        { _id, ...versionFilter(expected) },
        // $max: a writer that read the clock earlier but writes later never moves updatedAt back.
        { $set: definedOnly(changes), $inc: { version: 1 }, $max: { updatedAt: new Date() } },
        { returnDocument: 'after' },
      ),
    );
    if (document === null) throw await this.whyNotWritten(_id, id);
    return toPost(document);
  }

  async delete(id: string, expected?: ExpectedVersions): Promise<void> {
    const _id = parseObjectId(id);
    if (_id === null) throw new NotFoundError('post', id);
    const { deletedCount } = await this.writes.run(_id, () => this.collections.posts.deleteOne({ _id, ...versionFilter(expected) }));
    if (deletedCount === 0) throw await this.whyNotWritten(_id, id);
  }

  /** A conditional write that matched no document: the post is gone, or has another version. */
  private async whyNotWritten(_id: ObjectId, id: string): Promise<Error> {
    const exists = (await this.collections.posts.findOne({ _id }, { projection: { _id: 1 } })) !== null;
    return exists ? new PreconditionFailedError('post', id) : new NotFoundError('post', id);
  }

  private async page(filter: Filter<PostDocument>, { skip, limit }: PageRequest): Promise<Page<Post>> {
    const [documents, total] = await Promise.all([
      this.collections.posts.find(filter).sort(newestFirst).skip(skip).limit(limit).toArray(),
      this.collections.posts.countDocuments(filter),
    ]);
    return { items: documents.map(toPost), skip, limit, total };
  }
}

function toPost(document: PostDocument): Post {
  return {
    id: document._id.toHexString(),
    authorId: document.authorId.toHexString(),
    title: document.title,
    content: document.content,
    publicationDate: document.publicationDate,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    version: document.version,
  };
}
