import { type Filter, ObjectId } from 'mongodb';
import { definedOnly } from '../../domain/changes';
import { InvalidReferenceError, NotFoundError } from '../../domain/errors';
import type { Page, PageRequest } from '../../domain/page';
import type { NewPost, Post, PostChanges } from '../../domain/post';
import type { PostRepository } from '../../domain/repositories';
import { type Collections, type PostDocument, newestFirst } from './collections';
import { parseObjectId } from './mongo-id';
import { insertForUser } from './user-reference';

export class MongoPostRepository implements PostRepository {
  constructor(private readonly collections: Collections) {}

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

  async update(id: string, changes: PostChanges): Promise<Post> {
    const _id = parseObjectId(id);
    const document =
      _id === null
        ? null
        : await this.collections.posts.findOneAndUpdate(
            { _id },
            { $set: { ...definedOnly(changes), updatedAt: new Date() } },
            { returnDocument: 'after' },
          );
    if (document === null) throw new NotFoundError('post', id);
    return toPost(document);
  }

  async delete(id: string): Promise<void> {
    const _id = parseObjectId(id);
    if (_id === null || (await this.collections.posts.deleteOne({ _id })).deletedCount === 0) {
      throw new NotFoundError('post', id);
    }
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
  };
}
