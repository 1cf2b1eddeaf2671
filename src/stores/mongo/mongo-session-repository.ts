import type { ObjectId } from 'mongodb';
import { InvalidReferenceError } from '../../domain/errors';
import type { SessionRepository } from '../../domain/repositories';
import type { Session, SignedIn } from '../../domain/session';
import type { Collections, ReadBudget, SessionDocument, UserCopy } from './collections';
import { parseObjectId } from './mongo-id';
import { copiedFields, refreshUserCopies, toUser, userCopy } from './user-copies';

export class MongoSessionRepository implements SessionRepository {
  constructor(
    private readonly collections: Collections,
    private readonly budget: ReadBudget,
  ) {}

  /**
   * Keeps a copy of the user on the session. MongoDB has no foreign keys: the user is read again once the
   * session is in, so that a user deleted meanwhile takes it back, and a change of the profile made
   * meanwhile, which could not yet copy itself here, is copied.
   */
  async create(session: Session): Promise<void> {
    const userId = parseObjectId(session.userId);
    if (userId === null) throw new InvalidReferenceError('userId', session.userId);
    const user = await this.readUser(userId);
    if (user === null) throw new InvalidReferenceError('userId', session.userId);
    const document: SessionDocument = { _id: session.tokenHash, userId, createdAt: session.createdAt, expiresAt: session.expiresAt, user };
    await this.collections.sessions.insertOne(document);
    const now = await this.readUser(userId);
    if (now === null) {
      await this.collections.sessions.deleteOne({ _id: document._id });
      throw new InvalidReferenceError('userId', session.userId);
    }
    if (now.version !== user.version) await refreshUserCopies(this.collections, userId, now);
  }

  async findWithUser(tokenHash: string): Promise<SignedIn | null> {
    const document = await this.collections.sessions.findOne({ _id: tokenHash }, this.budget);
    if (document === null) return null;
    const user = document.user ?? (await this.readUser(document.userId));
    if (user === null) return null;
    return {
      session: { tokenHash: document._id, userId: document.userId.toHexString(), createdAt: document.createdAt, expiresAt: document.expiresAt },
      user: toUser(document.userId, user),
    };
  }

  async delete(tokenHash: string): Promise<void> {
    await this.collections.sessions.deleteOne({ _id: tokenHash });
  }

  async deleteExpired(now: Date): Promise<number> {
    return (await this.collections.sessions.deleteMany({ expiresAt: { $lt: now } })).deletedCount;
  }

  async deleteForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    const _id = parseObjectId(userId);
    if (_id === null) return 0;
    const except = exceptTokenHash === undefined ? {} : { _id: { $ne: exceptTokenHash } };
    return (await this.collections.sessions.deleteMany({ userId: _id, ...except })).deletedCount;
  }

  private async readUser(_id: ObjectId): Promise<UserCopy | null> {
    const document = await this.collections.users.findOne({ _id }, { projection: copiedFields, ...this.budget });
    return document === null ? null : userCopy(document);
  }
}
