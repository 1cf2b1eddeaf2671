import { postSlug } from '../../src/domain/post';
import { ConflictError, InvalidReferenceError } from '../../src/domain/errors';
import type { NewPost, Post } from '../../src/domain/post';
import type { TagCount } from '../../src/domain/tags';
import type { NewUser, User } from '../../src/domain/user';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, emoji, malformedIds } from '../support/factories';
import { walkPosts } from '../support/post-model';

/** Posts whose text and tags a store could get wrong: folding, accents, CJK, outside the BMP, mixed case, dates and none. */
function awkwardPosts(authorId: string): NewPost[] {
  return [
    aPost(authorId, { title: 'Straße ins Grüne', description: `Ein Weg, «kurz» ${emoji(2)}\tund\nweit`, content: 'Ein Weg. ΟΔΟΣ', tags: ['zebra', 'ß', 'émile'] }),
    aPost(authorId, { title: '東京の朝 🌅', content: `Café crème ${emoji(3)}`, tags: ['日本', '😀'], publicationDate: new Date('1999-12-31T23:59:59.999Z') }),
    aPost(authorId, { title: 'MiXeD CaSe İstanbul', description: emoji(1_000), content: 'plain', tags: [] }),
    aPost(authorId, { title: 'no tags given', content: 'STRASSE', publicationDate: new Date('2020-02-29T12:00:00.001Z') }),
    aPost(authorId, { title: 'Zeta', content: 'last by title', tags: ['b', 'a', 'ss'], publicationDate: new Date('1000-01-01T00:00:00.000Z') }),
  ];
}

describeEachStore('bulk creates contract', (context) => {
  const users = () => context.store.users;
  const posts = () => context.store.posts;
  const byTitle = (filter = {}) => walkPosts(posts(), { field: 'title', direction: 'asc' }, filter, 100);
  const allTags = async () => (await context.store.tags.find({ limit: 1_000 })).items;
  const allUsers = async () => (await users().find({ limit: 1_000 })).items;
  /** Runs `write` and answers the instants just before and after it. */
  const timed = async (write: () => Promise<void>) => {
    const before = new Date();
    await write();
    return { before, after: new Date() };
  };
  /** What `write` failed with; a write that succeeds fails the test. */
  const failure = (write: Promise<void>) =>
    write.then(
      () => {
        throw new Error('the write succeeded');
      },
      (error: unknown) => error,
    );

  describe('posts', () => {
    let authorId: string;

    beforeEach(async () => {
      authorId = (await users().create(aUser())).id;
    });

    it('when posts are created in bulk, then each reads back as create makes it, field for field, with one creation instant', async () => {
      const inputs = awkwardPosts(authorId);
      const made = new Map<string, Post>();
      for (const input of inputs) made.set(input.title, await posts().create(input));
      for (const post of made.values()) await posts().delete(post.id);

      const { before, after } = await timed(() => posts().createMany(inputs));

      const bulk = await byTitle();
      expect(bulk.map((post) => post.title)).toEqual([...made.keys()].sort());
      const [{ createdAt }] = bulk;
      expect(createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(createdAt.getTime()).toBeLessThanOrEqual(after.getTime());
      for (const post of bulk) {
        const created = made.get(post.title)!;
        const given = inputs.find((input) => input.title === post.title)!;
        // Only what create's own clock and id decide may differ: the slug's suffix is the post's own.
        expect(post).toEqual({ ...created, id: post.id, slugSuffix: post.slugSuffix, createdAt, updatedAt: createdAt, publicationDate: given.publicationDate ?? createdAt });
        expect(postSlug(post).replace(/-[0-9a-z]+$/, '')).toBe(postSlug(created).replace(/-[0-9a-z]+$/, ''));
        expect(await posts().findById(post.id)).toEqual(post);
      }
    });

    it('when posts are created in bulk, then search, tag filters and tag counts see them as they see created ones', async () => {
      await posts().createMany(awkwardPosts(authorId));

      const titles = async (filter: object) => (await byTitle(filter)).map((post) => post.title);
      expect(await titles({ q: 'strasse' })).toEqual(['Straße ins Grüne', 'no tags given']);
      expect(await titles({ q: 'οδοσ' })).toEqual(['Straße ins Grüne']);
      expect(await titles({ q: 'i̇stanbul' })).toEqual(['MiXeD CaSe İstanbul']);
      expect(await titles({ q: '🌅' })).toEqual(['東京の朝 🌅']);
      expect(await titles({ tags: ['ß'] })).toEqual(['Straße ins Grüne']);
      expect(await titles({ tags: ['a', 'ss'] })).toEqual(['Zeta']);
      expect(await posts().count({ tags: ['日本', '😀'] })).toBe(1);
      expect(await allTags()).toEqual(
        ['a', 'b', 'ss', 'zebra', 'ß', 'émile', '日本', '😀'].map((name): TagCount => ({ name, postCount: 1 })),
      );
    });

    it('when a batch is larger than one statement takes, by rows and by text, then every post keeps its own tags', async () => {
      const long = 'ẞ'.repeat(100_000);
      const inputs = Array.from({ length: 1_212 }, (_, i) =>
        aPost(authorId, {
          title: `bulk ${String(i).padStart(4, '0')}`,
          content: i % 101 === 0 ? long : `short ${i}`,
          // One name of its own per post (so tag names too span statements), one shared by many.
          tags: [`own-${i}`, `shared-${i % 7}`],
        }),
      );
      await posts().createMany(inputs);

      const bulk = await walkPosts(posts(), { field: 'title', direction: 'asc' }, {}, 500);
      expect(bulk.map(({ title, content, tags }) => ({ title, content, tags }))).toEqual(
        inputs.map(({ title, content, tags }) => ({ title, content, tags: [...tags!].sort() })),
      );
      expect(await walkPosts(posts(), { field: 'title', direction: 'asc' }, { q: 'ssss' }, 100)).toHaveLength(12);
      expect(await posts().count({ tags: ['shared-3'] })).toBe(173);
    }, 120_000);

    it('when one author of the batch does not exist, then InvalidReferenceError names it and nothing of the batch is kept, tags included', async () => {
      const gone = (await users().create(aUser())).id;
      await users().delete(gone);
      const batch = [aPost(authorId, { tags: ['kept-out'] }), aPost(gone, { tags: ['orphan'] }), aPost(authorId)];

      const error = await failure(posts().createMany(batch));

      expect(error).toBeInstanceOf(InvalidReferenceError);
      expect(error).toMatchObject({ field: 'authorId', id: gone });
      expect(await posts().count({})).toBe(0);
      expect(await allTags()).toEqual([]);
    });

    it('when an author id is one the store could never issue, then InvalidReferenceError and nothing is written', async () => {
      for (const id of malformedIds(context.name)) {
        const error = await failure(posts().createMany([aPost(authorId), aPost(id)]));
        expect(error).toBeInstanceOf(InvalidReferenceError);
        expect(error).toMatchObject({ field: 'authorId', id });
      }
      expect(await posts().count({})).toBe(0);
    });
  });

  describe('users', () => {
    it('when users are created in bulk, then each reads back as create makes it, and signs in by the same hash', async () => {
      const inputs: NewUser[] = [
        aUser({ email: 'Ada@Example.com', username: 'Ada_L', displayName: 'Ada Lovelace' }),
        aUser({ displayName: `Zoë ${emoji(2)} 東京` }),
        aUser({ passwordHash: '$scrypt$ln=10,r=8,p=1$c2FsdA$b3RoZXI' }),
      ];
      const made = new Map<string, User>();
      for (const input of inputs) made.set(input.email, await users().create(input));
      for (const user of made.values()) await users().delete(user.id);

      const { before, after } = await timed(() => users().createMany(inputs));

      const bulk = await allUsers();
      expect(bulk.map((user) => user.email)).toEqual(inputs.map((input) => input.email));
      const [{ createdAt }] = bulk;
      expect(createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(createdAt.getTime()).toBeLessThanOrEqual(after.getTime());
      for (const [i, user] of bulk.entries()) {
        expect(user).toEqual({ ...made.get(user.email), id: user.id, createdAt, updatedAt: createdAt });
        expect(await users().findById(user.id)).toEqual(user);
        expect(await users().findCredentials(user.email.toUpperCase())).toEqual({ userId: user.id, passwordHash: inputs[i].passwordHash });
      }
    });

    it('when a user of the batch takes a stored email in another case, then ConflictError names email and no user of the batch is kept', async () => {
      const stored = await users().create(aUser({ email: 'taken@example.com' }));
      const fresh = aUser();

      const error = await failure(users().createMany([fresh, aUser({ email: 'TAKEN@example.com' })]));

      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ field: 'email' });

      // SQL stores roll the batch back; MongoDB takes back the users its ordered insert wrote before the conflict.
      expect(await allUsers()).toEqual([stored]);
      await expect(users().create(fresh)).resolves.toMatchObject({ email: fresh.email });
    });

    it('when two users of the batch share a username in different cases, then ConflictError names username and none is kept', async () => {
      const error = await failure(users().createMany([aUser({ username: 'twin' }), aUser(), aUser({ username: 'TWIN' })]));

      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ field: 'username' });
      expect(await users().count()).toBe(0);
    });

    it('when the batches are empty, then nothing is written and nothing fails', async () => {
      await users().createMany([]);
      await posts().createMany([]);
      expect(await users().count()).toBe(0);
      expect(await posts().count({})).toBe(0);
    });
  });
});
