import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { compareCodePoints } from '../../domain/listing';
import { foldCase } from '../../domain/search';
import type { CopiedComment, CopiedFavorite, CopiedFollow, CopiedPost, CopiedUser, IdentifiedKind } from '../../domain/transfer';
import { profileDefaults, storedProfile } from '../../domain/user';
import type { CommentDocument, FavoriteDocument, FollowDocument, PostDocument, UserDocument } from './collections';

/**
 * The documents of a copy and the records they are read as (TransferRepository), with the fields the
 * service's own writes derive (the users' unique keys, the posts' search keys and ordered tags) derived
 * by the same functions.
 */

export function copiedUser(document: UserDocument): CopiedUser {
  return {
    id: document._id.toHexString(),
    email: document.email,
    username: document.username,
    displayName: document.displayName,
    bio: document.bio ?? profileDefaults.bio,
    image: document.image ?? profileDefaults.image,
    passwordHash: document.passwordHash ?? null,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    version: document.version,
  };
}

/**
 * A post stored without a slug number (none the service writes: the store's migration numbers the older ones
 * at start) has no number to copy, and any number given to it here would change its slug: it is refused.
 */
export function copiedPost(document: PostDocument): CopiedPost {
  if (document.slugNumber === undefined) throw new Error(`post ${document._id.toHexString()} has no slug number: start the service on this store once (its migration numbers every post), then copy`);
  return {
    id: document._id.toHexString(),
    number: document.slugNumber,
    authorId: document.authorId.toHexString(),
    title: document.title,
    description: document.description ?? '',
    content: document.content,
    publicationDate: document.publicationDate,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    version: document.version,
    tags: document.tags,
  };
}

export function copiedFollow({ _id, createdAt }: FollowDocument): CopiedFollow {
  return { followerId: _id.follower.toHexString(), followeeId: _id.followee.toHexString(), createdAt };
}

export function copiedFavorite({ _id, createdAt }: FavoriteDocument): CopiedFavorite {
  return { userId: _id.user.toHexString(), postId: _id.post.toHexString(), createdAt };
}

/** Refused without a number, as a post is (see copiedPost). */
export function copiedComment(document: CommentDocument): CopiedComment {
  if (document.number === undefined) throw new Error(`comment ${document._id.toHexString()} has no number: start the service on this store once (its migration numbers every comment), then copy`);
  return {
    id: document._id.toHexString(),
    number: document.number,
    postId: document.postId.toHexString(),
    authorId: document.authorId.toHexString(),
    content: document.content,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

/** A user as `create` would have stored it, with the record's own id, times, version and hash (none: the field is absent). */
export function userDocument(_id: ObjectId, user: CopiedUser): UserDocument {
  const { email, username, displayName, bio, image, passwordHash, createdAt, updatedAt, version } = user;
  return {
    _id,
    ...storedProfile({ email, username, displayName, bio, image }),
    ...(passwordHash !== null && { passwordHash }),
    createdAt,
    updatedAt,
    version,
  };
}

/** A post as `create` would have stored it, its number as the slug's; uncounted until the copy's finish counts its favorites. */
export function postDocument(_id: ObjectId, authorId: ObjectId, post: CopiedPost): PostDocument {
  return {
    _id,
    authorId,
    title: post.title,
    slugNumber: post.number,
    description: post.description,
    content: post.content,
    publicationDate: post.publicationDate,
    createdAt: post.createdAt,
    updatedAt: post.updatedAt,
    tags: [...post.tags].sort(compareCodePoints),
    titleKey: foldCase(post.title),
    contentKey: foldCase(post.content),
    version: post.version,
    favoritesCount: 0,
  };
}

/** The largest time an ObjectId's first four bytes hold: seconds since 1970 as an unsigned 32-bit integer. */
const maxObjectIdSeconds = 0xffffffff;

/**
 * The id here of a record copied from a store of the other family: always the same for one kind, old id and
 * creation time, so a batch written again after a crash collides with what it wrote the first time (the
 * insert's duplicate key) instead of writing the records again. Like an ObjectId the service issues, its first
 * four bytes are the creation time in seconds (clamped to what they hold: 1843 reads as 1970), so that
 * orders by `_id` follow creation as they do for records written here; the other eight are the start of the
 * SHA-256 hash of `${kind}:${oldId}`, unique to the record.
 */
export function movedObjectId(kind: IdentifiedKind, oldId: string, createdAt: Date): ObjectId {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.min(maxObjectIdSeconds, Math.max(0, Math.floor(createdAt.getTime() / 1000))), 0);
  createHash('sha256').update(movedIdKey(kind, oldId)).digest().copy(bytes, 4, 0, 8);
  return new ObjectId(bytes);
}

/** The `_id` of the moved_ids document of a record. */
export function movedIdKey(kind: IdentifiedKind, oldId: string): string {
  return `${kind}:${oldId}`;
}
