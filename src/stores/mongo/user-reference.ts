import type { ObjectId } from 'mongodb';
import type { Collections } from './collections';

/**
 * MongoDB has no foreign keys. Inserts a document that belongs to a user only
 * while the user exists; if the user was deleted between the check and the
 * insert (the delete removes only what it can see), takes the insert back.
 * Answers whether the document stayed.
 */
export async function insertForUser(
  { users }: Collections,
  userId: ObjectId,
  insert: () => Promise<unknown>,
  takeBack: () => Promise<unknown>,
): Promise<boolean> {
  const userExists = async () => (await users.findOne({ _id: userId }, { projection: { _id: 1 } })) !== null;
  if (!(await userExists())) return false;
  await insert();
  if (await userExists()) return true;
  await takeBack();
  return false;
}
