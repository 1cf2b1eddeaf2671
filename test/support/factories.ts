import type { StoreName } from './stores';
import type { NewPost } from '../../src/domain/post';
import type { NewProfile, NewUser } from '../../src/domain/user';

let sequence = 0;

/** A valid profile with unique email and username; override any field. */
export function aProfile(overrides: Partial<NewProfile> = {}): NewProfile {
  sequence += 1;
  return {
    email: `user${sequence}@example.com`,
    username: `user_${sequence}`,
    displayName: `User ${sequence}`,
    ...overrides,
  };
}

/** A user as the repository takes it; the hash is opaque to every store. */
export function aUser(overrides: Partial<NewUser> = {}): NewUser {
  return { passwordHash: `$scrypt$ln=10,r=8,p=1$c2FsdA$${sequence}`, ...aProfile(), ...overrides };
}

/** A sign-up request body: a profile and a password. */
export function aSignUp(overrides: Partial<NewProfile & { password: string }> = {}): NewProfile & { password: string } {
  return { ...aProfile(), password: `correct horse ${sequence} battery`, ...overrides };
}

export function aPost(authorId: string, overrides: Partial<NewPost> = {}): NewPost {
  sequence += 1;
  return { authorId, title: `Post ${sequence}`, content: `Content of post ${sequence}`, ...overrides };
}

/** `count` copies of a character outside the Basic Multilingual Plane: one code point, two UTF-16 units, four UTF-8 bytes. */
export function emoji(count: number): string {
  return '😀'.repeat(count);
}

/** Ids no store could have issued. */
const neverIssued = ['abc', '', ' 1', '0', '-1', '1.5', '01', '99999999999', '1e3', '507f1f77bcf86cd79943901', '507F1F77BCF86CD799439011', '507f1f77bcf86cd799439011x', "1' OR '1'='1", '{"$ne":null}'];

/** Ids this store could not have issued, including the form the other kind of store issues. */
export function malformedIds(store: StoreName): string[] {
  return [...neverIssued, ...(store === 'mongodb' ? ['1', '42'] : ['507f1f77bcf86cd799439011'])];
}
