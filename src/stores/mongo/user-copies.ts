import type { ObjectId } from 'mongodb';
import { type User, profileDefaults } from '../../domain/user';
import type { Collections, UserCopy, UserDocument } from './collections';

/**
 * A signed-in request reads its session and its user in one `find`: each session document keeps a copy of
 * its user's profile, as a document store would rather than join. A change of the profile rewrites the
 * copies, each only to a later version, so a copy never goes back; a session written while its user changed
 * looks again once it is in (MongoSessionRepository.create). Every field of the user's view is copied,
 * bio and image too: GET /users/me answers from the copy alone.
 */
export const copiedFields = { email: 1, username: 1, displayName: 1, bio: 1, image: 1, createdAt: 1, updatedAt: 1, version: 1 } as const;

/** The copy of a user; a document written before profiles gets the defaults, so no copy lacks them. */
export function userCopy({ email, username, displayName, bio, image, createdAt, updatedAt, version }: Omit<UserDocument, '_id'>): UserCopy {
  return { email, username, displayName, bio: bio ?? profileDefaults.bio, image: image ?? profileDefaults.image, createdAt, updatedAt, version };
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
    // Users and copies written before profiles have neither field.
    bio: user.bio ?? profileDefaults.bio,
    image: user.image ?? profileDefaults.image,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  };
}
