export interface User {
  id: string;
  email: string;
  username: string;
  displayName: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewUser {
  email: string;
  username: string;
  displayName: string;
}

export type UserChanges = Partial<NewUser>;

/**
 * Email and username are unique regardless of case. Every store keeps this
 * key beside the value as typed and puts the unique index on the key, so no
 * store's collation decides what counts as the same name.
 */
export function uniqueKey(value: string): string {
  return value.toLowerCase();
}

export type UniqueUserField = 'email' | 'username';

/**
 * After a store reported a broken unique index, finds which field it was, in
 * a way every store can answer (their error texts differ).
 * `isTaken` must ignore the user being changed.
 */
export async function findConflict(
  values: UserChanges,
  isTaken: (field: UniqueUserField, key: string) => Promise<boolean>,
): Promise<UniqueUserField | null> {
  for (const field of ['email', 'username'] as const) {
    const value = values[field];
    if (value !== undefined && (await isTaken(field, uniqueKey(value)))) return field;
  }
  return null;
}
