import { ObjectId } from 'mongodb';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../domain/errors';
import type { Slice, UserQuery } from '../../domain/listing';
import type { UserRepository } from '../../domain/repositories';
import type { ExpectedVersions } from '../../domain/versions';
import { type Credentials, type NewUser, type UniqueUserField, type User, type UserChanges, findBatchConflict, findConflict, lookupKey, withProfileDefaults, storedProfile } from '../../domain/user';
import type { Collections, ReadBudget, UserDocument } from './collections';
import { type DocumentWrites, versionFilter } from './document-writes';
import { isDuplicateKey } from './mongo-errors';
import { removeFavoritesOf } from './mongo-favorite-repository';
import { parseObjectId } from './mongo-id';
import { refreshUserCopies, toUser as copyToUser, userCopy } from './user-copies';

export class MongoUserRepository implements UserRepository {
  constructor(
    private readonly collections: Collections,
    private readonly writes: DocumentWrites,
    private readonly budget: ReadBudget,
  ) {}

  async create(input: NewUser): Promise<User> {
    const document = newUserDocument(input, new Date());
    try {
      await this.collections.users.insertOne(document);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      throw new ConflictError('user', (await this.conflict(input, document._id)) ?? 'email');
    }
    return toUser(document);
  }

  async createMany(inputs: NewUser[]): Promise<void> {
    if (inputs.length === 0) return;
    const now = new Date();
    const documents = inputs.map((input) => newUserDocument(input, now));
    try {
      await this.collections.users.insertMany(documents);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // The insert is ordered: the users before the duplicate were written. Taken back, as a SQL store writes none.
      await this.collections.users.deleteMany({ _id: { $in: documents.map(({ _id }) => _id) } });
      const field = await findBatchConflict(inputs, async (field, keys) => {
        const filter = field === 'email' ? { emailKey: { $in: keys } } : { usernameKey: { $in: keys } };
        return (await this.collections.users.findOne(filter, { projection: { _id: 1 } })) !== null;
      });
      throw new ConflictError('user', field ?? 'email');
    }
  }

  async findById(id: string): Promise<User | null> {
    const _id = parseObjectId(id);
    const document = _id === null ? null : await this.collections.users.findOne({ _id }, this.budget);
    return document === null ? null : toUser(document);
  }

  async findManyById(ids: readonly string[]): Promise<Map<string, User>> {
    const _ids = [...new Map(ids.map(parseObjectId).filter((id): id is ObjectId => id !== null).map((id) => [id.toHexString(), id])).values()];
    const documents = _ids.length === 0 ? [] : await this.collections.users.find({ _id: { $in: _ids } }, { projection: { passwordHash: 0 }, ...this.budget }).toArray();
    return new Map(documents.map((document) => [document._id.toHexString(), toUser(document)]));
  }

  async findByUsername(username: string): Promise<User | null> {
    const key = lookupKey(username);
    const document = key === null ? null : await this.collections.users.findOne({ usernameKey: key }, this.budget);
    return document === null ? null : toUser(document);
  }

  async findCredentials(email: string): Promise<Credentials | null> {
    const key = lookupKey(email);
    if (key === null) return null;
    const document = await this.collections.users.findOne({ emailKey: key }, { projection: { _id: 1, passwordHash: 1 }, ...this.budget });
    return document?.passwordHash ? { userId: document._id.toHexString(), passwordHash: document.passwordHash } : null;
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    const _id = parseObjectId(id);
    if (_id === null) throw new NotFoundError('user', id);
    const { matchedCount } = await this.writes.run(_id, () => this.collections.users.updateOne({ _id }, { $set: { passwordHash } }));
    if (matchedCount === 0) throw new NotFoundError('user', id);
  }

  async find({ limit, afterId, skip }: UserQuery): Promise<Slice<User>> {
    const after = afterId === undefined ? undefined : parseObjectId(afterId);
    if (after === null) return { items: [], hasMore: false };
    const filter = after === undefined ? {} : { _id: { $gt: after } };
    const documents = await this.collections.users.find(filter, this.budget).sort({ _id: 1 }).skip(skip ?? 0).limit(limit + 1).toArray();
    return { items: documents.slice(0, limit).map(toUser), hasMore: documents.length > limit };
  }

  count(): Promise<number> {
    return this.collections.users.countDocuments({}, this.budget);
  }

  async update(id: string, changes: UserChanges, expected?: ExpectedVersions): Promise<User> {
    const _id = parseObjectId(id);
    if (_id === null) throw new NotFoundError('user', id);
    const document = await this.writes.run(_id, async () => {
      // FerretDB answers an update that breaks a unique index with InternalError
      // instead of 11000, so look for the conflict first, and again on any error.
      const taken = await this.conflict(changes, _id);
      if (taken !== null) throw new ConflictError('user', taken);
      try {
        return await this.collections.users.findOneAndUpdate(
          { _id, ...versionFilter(expected) },
          // $max: a writer that read the clock earlier but writes later never moves updatedAt back.
          { $set: storedProfile(changes), $inc: { version: 1 }, $max: { updatedAt: new Date() } },
          { returnDocument: 'after' },
        );
      } catch (error) {
        const field = await this.conflict(changes, _id);
        throw field === null ? error : new ConflictError('user', field);
      }
    });
    if (document === null) throw await this.whyNotWritten(_id, id);
    await refreshUserCopies(this.collections, _id, userCopy(document));
    return toUser(document);
  }

  async delete(id: string, expected?: ExpectedVersions): Promise<void> {
    const _id = parseObjectId(id);
    if (_id === null) throw new NotFoundError('user', id);
    const { deletedCount } = await this.writes.run(_id, () => this.collections.users.deleteOne({ _id, ...versionFilter(expected) }));
    if (deletedCount === 0 && expected !== undefined) {
      const refused = await this.whyNotWritten(_id, id);
      if (refused instanceof PreconditionFailedError) throw refused;
    }
    // There is no foreign key to cascade. The user goes first, so a post or
    // session created meanwhile sees its user gone (see insertForUser); what
    // they owned goes even when the user already had, so that retrying a
    // delete that failed half-way finishes it.
    // Their posts with those posts' favorites (read first: a favorite does not keep its post's author).
    const theirPosts = await this.collections.posts.find({ authorId: _id }, { projection: { _id: 1 } }).toArray();
    await this.collections.posts.deleteMany({ authorId: _id });
    for (let i = 0; i < theirPosts.length; i += 1000) {
      await this.collections.favorites.deleteMany({ '_id.post': { $in: theirPosts.slice(i, i + 1000).map((post) => post._id) } });
    }
    // Their favorites, each uncounted from its post only when this delete removed it.
    await removeFavoritesOf(this.collections, _id);
    // Their comments, and every comment on their posts (each comment keeps its post's author).
    await this.collections.comments.deleteMany({ $or: [{ authorId: _id }, { postAuthorId: _id }] });
    await this.collections.sessions.deleteMany({ userId: _id });
    await this.collections.idempotencyKeys.deleteMany({ userId: _id });
    // Follows both ways, last: once the user is gone, no read shows a follow of theirs (lists read the users,
    // flags are asked of users found), so a crash before these leaves only unseen documents behind.
    await this.collections.follows.deleteMany({ '_id.follower': _id });
    await this.collections.follows.deleteMany({ '_id.followee': _id });
    if (deletedCount === 0) throw new NotFoundError('user', id);
  }

  /** A conditional write that matched no document: the user is gone, or has another version. */
  private async whyNotWritten(_id: ObjectId, id: string): Promise<Error> {
    const exists = (await this.collections.users.findOne({ _id }, { projection: { _id: 1 } })) !== null;
    return exists ? new PreconditionFailedError('user', id) : new NotFoundError('user', id);
  }

  private conflict(values: UserChanges, exceptId: ObjectId): Promise<UniqueUserField | null> {
    return findConflict(values, async (field, key) => {
      const filter = field === 'email' ? { emailKey: key } : { usernameKey: key };
      const other = await this.collections.users.findOne({ ...filter, _id: { $ne: exceptId } }, { projection: { _id: 1 } });
      return other !== null;
    });
  }
}

/** The document `create` writes for a new user: the unique keys, the profile's defaults, version 1, created and updated `now`. */
function newUserDocument(input: NewUser, now: Date): UserDocument {
  return { _id: new ObjectId(), ...storedProfile(withProfileDefaults(input)), passwordHash: input.passwordHash, createdAt: now, updatedAt: now, version: 1 };
}

function toUser(document: UserDocument): User {
  return copyToUser(document._id, document);
}
