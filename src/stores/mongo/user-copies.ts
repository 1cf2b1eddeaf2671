import type { ObjectId } from 'mongodb';
import type { User } from '../../domain/user';
import type { Collections, UserCopy, UserDocument } from './collections';

/**
 * A signed-in request reads its session and its user in one `find`: each session document keeps a copy of
 * its user's profile, as a document store would rather than join. A change of the profile rewrites the
 * copies, each only to a later version, so a copy never goes back; a session written while its user changed
 * looks again once it is in (MongoSessionRepository.create).
 */
export const copiedFields = { email: 1, username: 1, displayName: 1, createdAt: 1, updatedAt: 1, version: 1 } as const;

export function userCopy({ email, username, displayName, createdAt, updatedAt, version }: Omit<UserDocument, '_id'>): UserCopy {
  return { email, username, displayName, createdAt, updatedAt, version };
}

/** Brings the copies on the user's sessions up to `user`, where they are older or absent (sessions written before copies were kept). */
export async function refreshUserCopies({ sessions }: Collections, userId: ObjectId, user: UserCopy): Promise<void> {
  await sessions.updateMany({ userId, $or: [{ 'user.version': { $lt: user.version } }, { user: { $exists: false } }] }, { $set: { user } });
}

export function toUser(id: ObjectId, user: UserCopy): User {
  return {
    id: id.toHexString(),
    email: user.email,
    username: user.username,
    displayName: user.displayName,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
}
