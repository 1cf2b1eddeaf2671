import { definedOnly } from './changes';

export interface User {
  id: string;
  email: string;
  username: string;
  displayName: string;
  /** Empty when the user has said nothing. */
  bio: string;
  /** An absolute http(s) URL, or null when there is none. */
  image: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** 1 on create, one more on every profile change. */
  version: number;
}

/** What a user may change about themselves. */
export interface UserProfile {
  email: string;
  username: string;
  displayName: string;
  bio: string;
  image: string | null;
}

/** What a user has before they say otherwise. */
export const profileDefaults = { bio: '', image: null } as const satisfies Partial<UserProfile>;

/** A profile as a sign-up gives it: bio and image may be left out (profileDefaults). */
export type NewProfile = Omit<UserProfile, keyof typeof profileDefaults> & Partial<Pick<UserProfile, keyof typeof profileDefaults>>;

export interface NewUser extends NewProfile {
  /** Already hashed (see src/auth/passwords.ts); the plain password never reaches a store. */
  passwordHash: string;
}

/** The whole profile of a new user, the defaults filled in. */
export function withProfileDefaults({ email, username, displayName, bio, image }: NewProfile): UserProfile {
  return { email, username, displayName, bio: bio ?? profileDefaults.bio, image: image === undefined ? profileDefaults.image : image };
}

export type UserChanges = Partial<UserProfile>;

/** Kept apart from User so that a password hash cannot end up in a response by accident. */
export interface Credentials {
  userId: string;
  passwordHash: string;
}

/**
 * Email and username are unique regardless of case. Every store keeps this
 * key beside the value as typed and puts the unique index on the key, so no
 * store's collation decides what counts as the same name.
 */
export function uniqueKey(value: string): string {
  return value.toLowerCase();
}

/**
 * The key a lookup by `value` compares, or null when no stored key can match:
 * none holds U+0000 (no valid field does, and PostgreSQL could not store it),
 * so every store finds nobody rather than one of them failing.
 */
export function lookupKey(value: string): string | null {
  return value.includes('\u0000') ? null : uniqueKey(value);
}

/** How every store keeps a profile: each unique field with its key beside it. */
export interface StoredProfile extends UserProfile {
  emailKey: string;
  usernameKey: string;
}

/** The profile fields that are set, with the keys of the unique ones. */
export function storedProfile(values: UserProfile): StoredProfile;
export function storedProfile(values: UserChanges): Partial<StoredProfile>;
export function storedProfile({ email, username, displayName, bio, image }: UserChanges): Partial<StoredProfile> {
  // `image: null` is a change (the image removed): only undefined means left out.
  return definedOnly({
    email,
    emailKey: email === undefined ? undefined : uniqueKey(email),
    username,
    usernameKey: username === undefined ? undefined : uniqueKey(username),
    displayName,
    bio,
    image,
  });
}

export type UniqueUserField = 'email' | 'username';

/**
 * The order in which conflicts are looked for and told: the username first,
 * which anyone can see, so that an answer names a taken email only when the
 * username given is free.
 */
const conflictOrder = ['username', 'email'] as const;

/**
 * After a store reported a broken unique index, finds which field it was, in
 * a way every store can answer (their error texts differ).
 * `isTaken` must ignore the user being changed.
 */
export async function findConflict(
  values: UserChanges,
  isTaken: (field: UniqueUserField, key: string) => Promise<boolean>,
): Promise<UniqueUserField | null> {
  for (const field of conflictOrder) {
    const value = values[field];
    if (value !== undefined && (await isTaken(field, uniqueKey(value)))) return field;
  }
  return null;
}

/**
 * After a store reported a broken unique index while adding `profiles` at
 * once, finds which field it was: one the batch repeats, or one it shares
 * with a user already stored. `anyTaken` must ignore the batch's own records.
 */
export async function findBatchConflict(
  profiles: readonly Pick<UserProfile, UniqueUserField>[],
  anyTaken: (field: UniqueUserField, keys: string[]) => Promise<boolean>,
): Promise<UniqueUserField | null> {
  for (const field of conflictOrder) {
    const keys = profiles.map((profile) => uniqueKey(profile[field]));
    if (new Set(keys).size < keys.length || (await anyTaken(field, keys))) return field;
  }
  return null;
}
