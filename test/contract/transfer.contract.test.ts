import { randomBytes } from 'node:crypto';
import { ConflictError } from '../../src/domain/errors';
import type { CopiedComment, CopiedFavorite, CopiedFollow, CopiedPost, CopiedRecords, CopiedUser, IdFamily, RecordKind } from '../../src/domain/transfer';
import { recordKinds } from '../../src/domain/transfer';
import { postSlug } from '../../src/domain/post';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, emoji } from '../support/factories';

/**
 * The copy port (TransferRepository) on every store, as source and as target. A source of each family is
 * stood in for by records with ids of that family: SQL's integers, MongoDB's ObjectIds.
 */
describeEachStore('transfer repository contract', (context) => {
  const transfer = () => context.store.transfer;
  const ownFamily = (): IdFamily => (context.name === 'mongodb' ? 'mongodb' : 'sql');
  const otherFamily = (): IdFamily => (ownFamily() === 'sql' ? 'mongodb' : 'sql');
  let nextSqlId = 40;
  const idOf = (family: IdFamily) => (family === 'sql' ? String((nextSqlId += 7)) : randomBytes(12).toString('hex'));

  /** A small dataset as a source of `family` would hand it over: two users, two posts, a follow, a favorite, a comment. */
  function dataset(family: IdFamily) {
    const [ada, bob] = [idOf(family), idOf(family)];
    const [notes, poem] = [idOf(family), idOf(family)];
    const users: CopiedUser[] = [
      {
        id: ada, email: 'Ada@Example.com', username: 'Ada_L', displayName: `Ada ${emoji(2)}`, bio: 'Grüße', image: 'https://example.com/ada.png',
        passwordHash: '$2b$10$abcdefghijklmnopqrstuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu', createdAt: new Date('1843-09-01T00:00:00.001Z'),
        updatedAt: new Date('2026-01-02T03:04:05.678Z'), version: 3,
      },
      {
        id: bob, email: 'bob@example.com', username: 'bob', displayName: 'Bob', bio: '', image: null, passwordHash: null,
        createdAt: new Date('2026-01-01T00:00:00.000Z'), updatedAt: new Date('2026-01-01T00:00:00.000Z'), version: 1,
      },
    ];
    const posts: CopiedPost[] = [
      {
        id: notes, number: family === 'sql' ? Number(notes) : 9001, authorId: ada, title: 'Notes — on the engine', description: 'By the translator',
        content: `On the Analytical Engine ${emoji(3)}`, publicationDate: new Date('1843-09-01T12:00:00.999Z'), createdAt: new Date('2026-02-01T00:00:00.010Z'),
        updatedAt: new Date('2026-02-03T00:00:00.020Z'), version: 4, tags: ['engine', 'math', 'ünïcode'],
      },
      {
        id: poem, number: family === 'sql' ? Number(poem) : 9002, authorId: bob, title: 'Poem', description: '', content: 'x',
        publicationDate: new Date('9999-12-31T23:59:59.999Z'), createdAt: new Date('2026-02-01T00:00:00.011Z'),
        updatedAt: new Date('2026-02-01T00:00:00.011Z'), version: 1, tags: [],
      },
    ];
    const follows: CopiedFollow[] = [{ followerId: bob, followeeId: ada, createdAt: new Date('2026-03-01T00:00:00.001Z') }];
    const favorites: CopiedFavorite[] = [{ userId: bob, postId: notes, createdAt: new Date('2026-03-02T00:00:00.002Z') }];
    const comment = idOf(family);
    const comments: CopiedComment[] = [
      {
        id: comment, number: family === 'sql' ? Number(comment) : 7001, postId: notes, authorId: bob, content: `Fine work ${emoji(1)}`,
        createdAt: new Date('2026-03-03T00:00:00.003Z'), updatedAt: new Date('2026-03-03T00:00:00.003Z'),
      },
    ];
    return { users, posts, follows, favorites, comments } satisfies { [K in RecordKind]: CopiedRecords[K][] };
  }

  async function copy(family: IdFamily, records = dataset(family)) {
    await transfer().begin({ source: `test ${family}`, sourceFamily: family });
    for (const kind of recordKinds) await transfer().write(kind, records[kind], null);
    await transfer().finish();
    return records;
  }

  async function readAll<K extends RecordKind>(kind: K, limit = 1): Promise<CopiedRecords[K][]> {
    const all: CopiedRecords[K][] = [];
    let after: string | null = null;
    do {
      const page: { records: CopiedRecords[K][]; next: string | null } = await transfer().read(kind, after, limit);
      all.push(...page.records);
      after = page.next;
    } while (after !== null);
    return all;
  }

  it('when the store is empty, then every kind reads as no record and no copy has begun', async () => {
    for (const kind of recordKinds) {
      expect(await transfer().read(kind, null, 10)).toEqual({ records: [], next: null });
      expect(await transfer().count(kind)).toBe(0);
    }
    expect(await transfer().progress()).toBeNull();
  });

  it('when records the service wrote are read, then each kind comes whole, page by page, with the numbers of slugs and comments', async () => {
    const ada = await context.store.users.create(aUser({ email: 'ada@example.com', username: 'ada' }));
    const bob = await context.store.users.create(aUser({ email: 'bob@example.com', username: 'bob' }));
    const post = await context.store.posts.create(aPost(ada.id, { tags: ['b', 'a'], description: 'about' }));
    await context.store.follows.follow(bob.id, ada.id);
    await context.store.favorites.favorite(bob.id, post.id);
    const comment = await context.store.comments.create({ postId: post.id, authorId: bob.id, content: 'hi' });

    const users = await readAll('users');
    expect(users.map((user) => user.id).sort()).toEqual([ada.id, bob.id].sort());
    expect(users.every((user) => typeof user.passwordHash === 'string' && user.passwordHash.length > 20)).toBe(true);
    const [copiedPost] = await readAll('posts');
    expect(copiedPost).toEqual({
      id: post.id, number: expect.any(Number), authorId: ada.id, title: post.title, description: 'about', content: post.content,
      publicationDate: post.publicationDate, createdAt: post.createdAt, updatedAt: post.updatedAt, version: 1, tags: ['a', 'b'],
    });
    expect(postSlug({ title: post.title, slugSuffix: copiedPost.number.toString(36) })).toBe(postSlug(post));
    expect(await readAll('follows')).toEqual([{ followerId: bob.id, followeeId: ada.id, createdAt: expect.any(Date) }]);
    expect(await readAll('favorites')).toEqual([{ userId: bob.id, postId: post.id, createdAt: expect.any(Date) }]);
    expect(await readAll('comments')).toEqual([
      { id: comment.id, number: comment.number, postId: post.id, authorId: bob.id, content: 'hi', createdAt: comment.createdAt, updatedAt: comment.updatedAt },
    ]);
    expect(await transfer().count('users')).toBe(2);
  });

  it('when follows and favorites share their users and posts, then pages of any size read each pair once, in one order', async () => {
    const [ada, bob, cy] = await Promise.all(['ada', 'bob', 'cy'].map((name) => context.store.users.create(aUser({ email: `${name}@example.com`, username: name }))));
    const [notes, poem] = [await context.store.posts.create(aPost(ada.id)), await context.store.posts.create(aPost(bob.id))];
    for (const [follower, followee] of [[ada, bob], [ada, cy], [bob, ada], [cy, ada], [bob, cy]]) await context.store.follows.follow(follower.id, followee.id);
    for (const [user, post] of [[ada, notes], [ada, poem], [bob, notes], [cy, poem]] as const) await context.store.favorites.favorite(user.id, post.id);

    for (const kind of ['follows', 'favorites'] as const) {
      const whole = await readAll(kind, 100);
      expect(whole).toHaveLength(kind === 'follows' ? 5 : 4);
      expect(new Set(whole.map((record) => JSON.stringify(record))).size).toBe(whole.length);
      for (const limit of [1, 2, 3]) expect(await readAll(kind, limit)).toEqual(whole);
    }
  });

  it('when every kind is scanned, then each record comes once, in batches no larger than asked', async () => {
    const records = await copy(ownFamily());

    for (const kind of recordKinds) {
      const batches: unknown[][] = [];
      for await (const batch of transfer().scan(kind, 1)) batches.push(batch);
      expect(batches.every((batch) => batch.length === 1)).toBe(true);
      expect(sorted<unknown>(batches.flat())).toEqual(sorted<unknown>(await readAll(kind)));
      expect(batches.flat()).toHaveLength(records[kind].length);
      const whole: unknown[] = [];
      for await (const batch of transfer().scan(kind, 100)) whole.push(...batch);
      expect(whole).toHaveLength(records[kind].length);
    }
  });

  it('when a copy from a store of this family is written, then ids, numbers, versions, times and hashes are kept', async () => {
    const records = await copy(ownFamily());

    for (const kind of recordKinds) expect(sorted<unknown>(await readAll(kind))).toEqual(sorted<unknown>(records[kind]));
    expect(await context.store.users.findCredentials('ada@example.com')).toEqual({ userId: records.users[0].id, passwordHash: records.users[0].passwordHash });
    const post = await context.store.posts.findById(records.posts[0].id);
    expect(post).toMatchObject({ favoritesCount: 1, version: 4, tags: ['engine', 'math', 'ünïcode'], slugSuffix: records.posts[0].number.toString(36) });
    expect(await transfer().movedId('users', records.users[0].id)).toBeNull();
    const moved: [string, string][] = [];
    for await (const batch of transfer().moves('users', 10)) moved.push(...batch);
    expect(moved).toEqual([]);
    expect(await transfer().progress()).toMatchObject({ sourceFamily: ownFamily(), finished: true });
    // The store's own numbering goes on past the kept ids.
    const newcomer = await context.store.users.create(aUser({ email: 'new@example.com', username: 'newcomer' }));
    const newPost = await context.store.posts.create(aPost(newcomer.id));
    expect(records.users.map((user) => user.id)).not.toContain(newcomer.id);
    expect(records.posts.map((copied) => copied.id)).not.toContain(newPost.id);
    expect(parseInt(newPost.slugSuffix, 36)).toBeGreaterThan(Math.max(...records.posts.map((copied) => copied.number)));
  });

  it('when a copy from the other family is written, then this store issues its own ids, keeps numbers, and maps the old ids', async () => {
    const records = await copy(otherFamily());

    const users = await readAll('users');
    const idOfUser = new Map<string, string>();
    for (const user of records.users) idOfUser.set(user.id, (await transfer().movedId('users', user.id))!);
    expect(sorted(users)).toEqual(sorted(records.users.map((user) => ({ ...user, id: idOfUser.get(user.id)! }))));
    const [notes] = records.posts;
    const notesId = (await transfer().movedId('posts', notes.id))!;
    const post = await context.store.posts.findById(notesId);
    expect(post).toMatchObject({ authorId: idOfUser.get(notes.authorId), version: 4, createdAt: notes.createdAt, updatedAt: notes.updatedAt, favoritesCount: 1 });
    // The Conduit API's names stay: the slug's suffix is the number, a comment is found by its number.
    expect(post!.slugSuffix).toBe(notes.number.toString(36));
    expect(await context.store.posts.findBySlug(postSlug(post!))).toMatchObject({ id: notesId });
    expect(await context.store.comments.findByNumber(notesId, records.comments[0].number)).toMatchObject({ content: records.comments[0].content });
    expect(await context.store.follows.followeeIds(idOfUser.get(records.users[1].id)!)).toEqual([idOfUser.get(records.users[0].id)]);
    // An id of neither kind, or of another kind, names nothing moved.
    expect(await transfer().movedId('posts', records.users[0].id)).toBeNull();
    expect(await transfer().movedId('users', 'not-an-id')).toBeNull();
    // The whole map, kind by kind, in batches no larger than asked: the same the look-ups give.
    for (const kind of ['users', 'posts', 'comments'] as const) {
      const batches: [string, string][][] = [];
      for await (const batch of transfer().moves(kind, 1)) batches.push(batch);
      expect(batches.every((batch) => batch.length === 1)).toBe(true);
      const moved = await Promise.all(records[kind].map(async ({ id }) => [id, (await transfer().movedId(kind, id))!]));
      expect(sorted(batches.flat())).toEqual(sorted(moved));
    }
  });

  it('when a batch is written again, as after a crash before its position was kept, then nothing is stored twice', async () => {
    const records = dataset(otherFamily());
    await transfer().begin({ source: 'test', sourceFamily: otherFamily() });
    for (const kind of recordKinds) {
      await transfer().write(kind, records[kind], 'somewhere');
      await transfer().write(kind, records[kind], null);
    }
    await transfer().finish();

    for (const kind of recordKinds) expect(await transfer().count(kind)).toBe(records[kind].length);
    expect((await context.store.posts.findById((await transfer().movedId('posts', records.posts[0].id))!))!.favoritesCount).toBe(1);
  });

  it('when a batch is written again after only part of it was, then the rest is written and nothing twice', async () => {
    const records = dataset(otherFamily());
    await transfer().begin({ source: 'test', sourceFamily: otherFamily() });
    await transfer().write('users', records.users.slice(0, 1), 'somewhere');
    await transfer().write('users', records.users, null);
    await transfer().write('posts', records.posts.slice(1), 'somewhere');
    for (const kind of recordKinds.slice(1)) await transfer().write(kind, records[kind], null);
    await transfer().finish();

    for (const kind of recordKinds) expect(await transfer().count(kind)).toBe(records[kind].length);
    const movedUsers = await Promise.all(records.users.map((user) => transfer().movedId('users', user.id)));
    expect(sorted((await readAll('users')).map((user) => user.id))).toEqual(sorted(movedUsers));
  });

  it('when a batch holds a record another one in the store forbids (an email taken, ignoring case), then the write fails rather than leave it out', async () => {
    const { users: [ada, bob] } = dataset(otherFamily());
    await transfer().begin({ source: 'test', sourceFamily: otherFamily() });
    await transfer().write('users', [ada], 'after ada');

    await expect(transfer().write('users', [{ ...bob, email: ada.email.toUpperCase() }], null)).rejects.toThrow();
    expect((await transfer().progress())!.positions).toEqual({ users: 'after ada' });
  });

  it('when a copy is under way, then its progress holds each kind\'s position until the copy is finished', async () => {
    const records = dataset(ownFamily());
    await transfer().begin({ source: 'sqlite:/tmp/source.sqlite', sourceFamily: ownFamily() });
    await transfer().write('users', records.users.slice(0, 1), 'after ada');

    expect(await transfer().progress()).toEqual({ source: 'sqlite:/tmp/source.sqlite', sourceFamily: ownFamily(), positions: { users: 'after ada' }, finished: false });
    await transfer().write('users', records.users.slice(1), null);
    expect((await transfer().progress())!.positions).toEqual({ users: null });
  });

  it('when the store holds records, or another copy has begun, then a copy cannot begin', async () => {
    await context.store.users.create(aUser());
    await expect(transfer().begin({ source: 'a', sourceFamily: 'sql' } as never)).rejects.toBeInstanceOf(ConflictError);
  });

  it('when a copy has begun, then another cannot begin, and a write needs one', async () => {
    await expect(transfer().write('users', [], null)).rejects.toBeInstanceOf(ConflictError);
    await transfer().begin({ source: 'a', sourceFamily: 'sql' });
    await expect(transfer().begin({ source: 'b', sourceFamily: 'sql' } as never)).rejects.toBeInstanceOf(ConflictError);
  });

  it('when a copy is finished, then new posts and comments are numbered past every copied number', async () => {
    const records = await copy(otherFamily());
    const authorId = (await transfer().movedId('users', records.users[0].id))!;

    const post = await context.store.posts.create(aPost(authorId));
    const postNumber = parseInt(post.slugSuffix, 36);
    expect(postNumber).toBeGreaterThan(Math.max(...records.posts.map((copied) => copied.number)));
    const comment = await context.store.comments.create({ postId: post.id, authorId, content: 'new' });
    expect(comment.number).toBeGreaterThan(records.comments[0].number);
  });
});

function sorted<T>(records: T[]): T[] {
  return [...records].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
