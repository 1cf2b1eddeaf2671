import { InvalidReferenceError } from '../../domain/errors';
import type { SessionRepository } from '../../domain/repositories';
import type { Session } from '../../domain/session';
import type { Collections, SessionDocument } from './collections';
import { parseObjectId } from './mongo-id';
import { insertForUser } from './user-reference';

export class MongoSessionRepository implements SessionRepository {
  constructor(private readonly collections: Collections) {}

  async create(session: Session): Promise<void> {
    const userId = parseObjectId(session.userId);
    if (userId === null) throw new InvalidReferenceError('userId', session.userId);
    const document: SessionDocument = { _id: session.tokenHash, userId, createdAt: session.createdAt, expiresAt: session.expiresAt };
    const kept = await insertForUser(
      this.collections,
      userId,
      () => this.collections.sessions.insertOne(document),
      () => this.collections.sessions.deleteOne({ _id: document._id }),
    );
    if (!kept) throw new InvalidReferenceError('userId', session.userId);
  }

  async findByTokenHash(tokenHash: string): Promise<Session | null> {
    const document = await this.collections.sessions.findOne({ _id: tokenHash });
    if (document === null) return null;
    return { tokenHash: document._id, userId: document.userId.toHexString(), createdAt: document.createdAt, expiresAt: document.expiresAt };
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
}
