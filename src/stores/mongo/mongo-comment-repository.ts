import { type Filter, ObjectId } from 'mongodb';
import type { AuthoredComment, Comment, CommentQuery, NewComment } from '../../domain/comment';
import { InvalidReferenceError, NotAuthorError, NotFoundError } from '../../domain/errors';
import type { Slice } from '../../domain/listing';
import type { CommentRepository } from '../../domain/repositories';
import type { User } from '../../domain/user';
import type { CommentDocument, Collections, ReadBudget } from './collections';
import { parseObjectId } from './mongo-id';
import { toUser } from './user-copies';
import { type Sequence, commentNumbers, insertNumbered } from './sequences';

/** Oldest first, ties by id: the key of the index `post_oldest_first` after its postId. */
const oldestFirst = { createdAt: 1, _id: 1 } as const;
/** Newest first, ties by id descending: the same index, read backwards. */
const newestFirst = { createdAt: -1, _id: -1 } as const;

/**
 * Comments in a collection of their own (see CommentDocument). MongoDB has no foreign keys and FerretDB
 * no transactions, so the steps are ordered: a post's and a user's deletes remove the post or user first
 * and their comments after, and a create inserts, then checks that the post and the author are still there,
 * taking the comment back if not. A comment is thus either seen by the delete's removal, or sees the post or
 * user gone. A crash between a delete's steps can leave comments whose post or author is gone: no read
 * answers them (a read checks the post, and drops a comment whose author is missing), and the same delete
 * run again removes them.
 */
export class MongoCommentRepository implements CommentRepository {
  constructor(
    private readonly collections: Collections,
    private readonly budget: ReadBudget,
    /** The store's one `comments` sequence: a copy into the store moves it on, and the block in hand with it. */
    private readonly numbers: Sequence = commentNumbers(collections),
  ) {}

  /**
   * Four commands: the post's author (a comment on a post already gone is never written), the insert, then
   * the post and the author again, side by side, as insertForUser (user-reference.ts) does for posts.
   */
  async create(input: NewComment): Promise<Comment> {
    const { posts, users, comments } = this.collections;
    const postId = parseObjectId(input.postId);
    if (postId === null) throw new NotFoundError('post', input.postId);
    const authorId = parseObjectId(input.authorId);
    if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
    const post = await posts.findOne({ _id: postId }, { projection: { authorId: 1 }, ...this.budget });
    if (post === null) throw new NotFoundError('post', input.postId);
    const now = new Date();
    const document: CommentDocument = { _id: new ObjectId(), postId, postAuthorId: post.authorId, authorId, content: input.content, createdAt: now, updatedAt: now };
    await this.insertWithNumber(document);
    const [postStays, authorStays] = await Promise.all([
      posts.findOne({ _id: postId }, { projection: { _id: 1 } }),
      users.findOne({ _id: authorId }, { projection: { _id: 1 } }),
    ]);
    if (postStays === null || authorStays === null) {
      await comments.deleteOne({ _id: document._id });
      throw postStays === null ? new NotFoundError('post', input.postId) : new InvalidReferenceError('authorId', input.authorId);
    }
    return toComment(document);
  }

  /** Gives the comment the next number and inserts it, with a new number should one be taken (see insertNumbered). */
  private async insertWithNumber(document: CommentDocument): Promise<void> {
    await insertNumbered(
      this.numbers,
      1,
      ([number]) => (document.number = number),
      () => this.collections.comments.insertOne(document),
      // A refused insert wrote nothing.
      async () => undefined,
    );
  }

  /** The comment, then its post and author side by side. */
  async findById(postId: string, id: string): Promise<AuthoredComment | null> {
    const _id = parseObjectId(id);
    return _id === null ? null : this.findOne(postId, { _id });
  }

  async findByNumber(postId: string, number: number): Promise<AuthoredComment | null> {
    return Number.isSafeInteger(number) && number > 0 ? this.findOne(postId, { number }) : null;
  }

  private async findOne(postId: string, key: Filter<CommentDocument>): Promise<AuthoredComment | null> {
    const post = parseObjectId(postId);
    if (post === null) return null;
    const document = await this.collections.comments.findOne({ ...key, postId: post }, this.budget);
    if (document === null) return null;
    const [postStays, authors] = await Promise.all([this.postExists(post), this.authorsOf([document])]);
    const author = authors.get(document.authorId.toHexString());
    return postStays && author !== undefined ? { ...toComment(document), author } : null;
  }

  /** Three commands whatever the page's length: the post and the page (commentPage) side by side, then the page's authors at once. */
  async find(commentQuery: CommentQuery): Promise<Slice<AuthoredComment> | null> {
    const { postId, limit } = commentQuery;
    const post = parseObjectId(postId);
    if (post === null) return null;
    const query = commentPage(commentQuery);
    // A cursor's id that no comment could have ends the list there.
    const page = query === null ? Promise.resolve([]) : this.collections.comments.find(query.filter, this.budget).sort(query.sort).limit(limit + 1).toArray();
    const [postStays, documents] = await Promise.all([this.postExists(post), page]);
    if (!postStays) return null;
    const examined = documents.slice(0, limit);
    const authors = await this.authorsOf(examined);
    const items = examined.flatMap((document) => {
      const author = authors.get(document.authorId.toHexString());
      return author === undefined ? [] : [{ ...toComment(document), author }];
    });
    const hasMore = documents.length > limit;
    const last = examined.at(-1);
    // A comment left by a crash behind its deleted author is not shown; the next page still starts after it.
    const continueAfter = hasMore && items.length < examined.length && last !== undefined ? { value: last.createdAt, id: last._id.toHexString() } : undefined;
    return { items, hasMore, ...(continueAfter !== undefined && { continueAfter }) };
  }

  /** One command when the caller wrote the comment or its post; read apart only to tell why nothing was deleted. */
  async delete(postId: string, id: string, callerId: string): Promise<void> {
    const post = parseObjectId(postId);
    const _id = parseObjectId(id);
    if (post === null) throw new NotFoundError('post', postId);
    if (_id === null) throw new NotFoundError('comment', id);
    const caller = parseObjectId(callerId);
    const { deletedCount } =
      caller === null ? { deletedCount: 0 } : await this.collections.comments.deleteOne({ _id, postId: post, $or: [{ authorId: caller }, { postAuthorId: caller }] });
    if (deletedCount > 0) return;
    const [postStays, comment] = await Promise.all([this.postExists(post), this.collections.comments.findOne({ _id, postId: post }, { projection: { _id: 1 } })]);
    if (!postStays) throw new NotFoundError('post', postId);
    throw comment === null ? new NotFoundError('comment', id) : new NotAuthorError('comment', id);
  }

  private async postExists(_id: ObjectId): Promise<boolean> {
    return (await this.collections.posts.findOne({ _id }, { projection: { _id: 1 }, ...this.budget })) !== null;
  }

  /** The authors of these comments by id, in one command; an author who is gone is absent. */
  private async authorsOf(documents: readonly CommentDocument[]): Promise<Map<string, User>> {
    const ids = [...new Map(documents.map(({ authorId }) => [authorId.toHexString(), authorId])).values()];
    if (ids.length === 0) return new Map();
    const users = await this.collections.users.find(ids.length === 1 ? { _id: ids[0] } : { _id: { $in: ids } }, { projection: { passwordHash: 0 }, ...this.budget }).toArray();
    return new Map(users.map((user) => [user._id.toHexString(), toUser(user._id, user)]));
  }
}

/**
 * The filter and order of a page of a post's comments: oldest or newest first, beyond the position in that
 * order, a range of the index `post_oldest_first` read forwards or backwards. Null when an id names no
 * possible document.
 */
export function commentPage({ postId, order = 'oldest', after }: CommentQuery): { filter: Filter<CommentDocument>; sort: typeof oldestFirst | typeof newestFirst } | null {
  const post = parseObjectId(postId);
  const afterId = after === undefined ? undefined : parseObjectId(after.id);
  if (post === null || afterId === null) return null;
  const filter: Filter<CommentDocument> = { postId: post };
  const [beyond, from] = order === 'newest' ? (['$lt', '$lte'] as const) : (['$gt', '$gte'] as const);
  if (after !== undefined) {
    filter.createdAt = { [from]: after.value };
    filter.$or = [{ createdAt: { [beyond]: after.value } }, { createdAt: after.value, _id: { [beyond]: afterId } }];
  }
  return { filter, sort: order === 'newest' ? newestFirst : oldestFirst };
}

function toComment(document: CommentDocument): Comment {
  return {
    id: document._id.toHexString(),
    // 0 for a comment stored without a number, which no lookup by number finds; the next start numbers it.
    number: document.number ?? 0,
    postId: document.postId.toHexString(),
    authorId: document.authorId.toHexString(),
    content: document.content,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}
