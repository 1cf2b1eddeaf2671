import { createHash, randomBytes } from 'node:crypto';
import { PasswordHasher } from '../../src/auth/passwords';
import type { Store } from '../../src/domain/repositories';

/** The records of the example by role, so that each store's ids can be named alike. */
export interface Example {
  users: { ada: string; bob: string };
  post: string;
  comments: [string, string];
  /** The hash of Ada's bearer token, which her session is stored under. */
  tokenHash: string;
}

/** The one instant the example sets itself, so it can be shown as stored. */
export const publicationDate = new Date('2026-01-15T09:30:00.000Z');

/** Cheap, and masked in the output anyway: the salt is random. */
const hasher = new PasswordHasher(10);

/**
 * The small example every store holds, written through the port in one fixed order: Ada and Bob, who follow
 * each other; Ada's post with two tags; both favorite it; Bob comments, then Ada answers; Ada is signed in
 * (her session, which on MongoDB keeps a copy of her profile).
 */
export async function writeExample(store: Store): Promise<Example> {
  const ada = await store.users.create({
    email: 'ada@example.com',
    username: 'ada',
    displayName: 'Ada Lovelace',
    bio: 'Writes about engines',
    passwordHash: await hasher.hash('correct horse battery staple'),
  });
  const bob = await store.users.create({
    email: 'bob@example.com',
    username: 'bob',
    displayName: 'Bob',
    passwordHash: await hasher.hash('another horse battery staple'),
  });
  await store.follows.follow(ada.id, bob.id);
  await store.follows.follow(bob.id, ada.id);
  const post = await store.posts.create({
    authorId: ada.id,
    title: 'Notes on the engine',
    content: 'It weaves algebraic patterns.',
    publicationDate,
    tags: ['engines', 'history'],
  });
  await store.favorites.favorite(ada.id, post.id);
  await store.favorites.favorite(bob.id, post.id);
  const first = await store.comments.create({ postId: post.id, authorId: bob.id, content: 'Which engine?' });
  const second = await store.comments.create({ postId: post.id, authorId: ada.id, content: 'The analytical one.' });
  // As src/auth makes one: the SHA-256 of a random token, which itself is never stored.
  const tokenHash = createHash('sha256').update(randomBytes(32)).digest('hex');
  const now = new Date();
  await store.sessions.create({ tokenHash, userId: ada.id, createdAt: now, expiresAt: new Date(now.getTime() + 30 * 24 * 3600_000) });
  return { users: { ada: ada.id, bob: bob.id }, post: post.id, comments: [first.id, second.id], tokenHash };
}

/** The placeholder of each id of the example, by role (MongoDB's ids only: SQL's are the same small numbers on every run). */
export function exampleNames(example: Example): Map<string, string> {
  return new Map([
    [example.users.ada, 'ada'],
    [example.users.bob, 'bob'],
    [example.post, 'post'],
    [example.comments[0], 'comment1'],
    [example.comments[1], 'comment2'],
  ]);
}
