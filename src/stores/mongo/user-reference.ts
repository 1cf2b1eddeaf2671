import type { ObjectId } from 'mongodb';
import type { Collections } from './collections';

/**
 * MongoDB has no foreign keys. Inserts a document that belongs to a user,
 * then reads whether the user exists, and takes the insert back if not: a
 * delete of the user removes their documents after the user, so a document
 * inserted before that read is either seen by the delete or taken back here.
 * One insert and one read on the happy path; a document of a user that never
 * existed is visible to readers for as long as that takes. Answers whether
 * the document stayed.
 */
export async function insertForUser(
  collections: Collections,
  userId: ObjectId,
  insert: () => Promise<unknown>,
  takeBack: () => Promise<unknown>,
): Promise<boolean> {
  return (await insertForUsers(collections, [userId], insert, takeBack)) === null;
}

/**
 * As insertForUser, for documents that belong to any of `userIds`: all of
 * them are inserted while every user exists, or all taken back. Answers the
 * first id that names no user (nothing stays then), or null.
 */
export async function insertForUsers(
  { users }: Collections,
  userIds: readonly ObjectId[],
  insert: () => Promise<unknown>,
  takeBack: () => Promise<unknown>,
): Promise<ObjectId | null> {
  const distinct = [...new Map(userIds.map((id) => [id.toHexString(), id])).values()];
  // One id as a plain equality: the form every store looks up by its key.
  const filter = distinct.length === 1 ? { _id: distinct[0] } : { _id: { $in: distinct } };
  const firstMissing = async () => {
    const found = new Set((await users.find(filter, { projection: { _id: 1 } }).toArray()).map(({ _id }) => _id.toHexString()));
    return distinct.find((id) => !found.has(id.toHexString())) ?? null;
  };
  await insert();
  const gone = await firstMissing();
  if (gone !== null) await takeBack();
  return gone;
}
