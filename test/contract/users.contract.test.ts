import { ConflictError, NotFoundError } from '../../src/domain/errors';
import { advanceDate, freezeDate } from '../support/clock';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, emoji, malformedIds } from '../support/factories';

describeEachStore('users repository contract', (context) => {
  const users = () => context.store.users;

  describe('create and find', () => {
    it('when a user is created, then it reads back exactly, timestamps to the millisecond', async () => {
      const created = await users().create(aUser({ email: 'Ada@Example.com', username: 'Ada_L', displayName: 'Ada Lovelace' }));

      expect(created).toEqual({
        id: expect.any(String),
        email: 'Ada@Example.com',
        username: 'Ada_L',
        displayName: 'Ada Lovelace',
        bio: '',
        image: null,
        createdAt: expect.any(Date),
        updatedAt: created.createdAt,
        version: 1,
      });
      expect(await users().findById(created.id)).toEqual(created);
    });

    it('when the stored timestamp has milliseconds, then they survive the round trip', async () => {
      let created = await users().create(aUser());
      // Retry until the clock lands off a whole second, so truncation would show.
      while (created.createdAt.getMilliseconds() % 100 === 0) created = await users().create(aUser());
      const found = await users().findById(created.id);
      expect(found?.createdAt.toISOString()).toBe(created.createdAt.toISOString());
    });

    it('when text is at its longest and outside the BMP, then it is stored intact', async () => {
      const displayName = emoji(100);
      const username = 'u'.repeat(32);
      const email = `${'e'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(57)}.com`;
      expect(email).toHaveLength(254);
      const created = await users().create(aUser({ email, username, displayName }));
      expect(await users().findById(created.id)).toMatchObject({ email, username, displayName });
    });

    it('when a bio and an image are given, then they read back exactly; left out, the bio is empty and there is no image', async () => {
      const image = 'https://example.com/ada.png?size=200#top';
      const created = await users().create(aUser({ bio: 'Wrote the first published program.', image }));
      expect(created).toMatchObject({ bio: 'Wrote the first published program.', image });
      expect(await users().findById(created.id)).toEqual(created);
      const plain = await users().create(aUser({ bio: undefined, image: undefined }));
      expect(await users().findById(plain.id)).toMatchObject({ bio: '', image: null });
    });

    it('when the bio is 1,000 code points outside the BMP and the image 2,048 characters, then both are stored intact', async () => {
      const bio = emoji(1_000);
      const image = `https://example.com/${'i'.repeat(2_048 - 'https://example.com/'.length)}`;
      expect(image).toHaveLength(2_048);
      const created = await users().create(aUser({ bio, image }));
      expect(await users().findById(created.id)).toMatchObject({ bio, image });
      expect((await users().find({ limit: 10 })).items).toEqual([created]);
    });

    it('when a bio holds combining marks, both normal forms, right-to-left text, line breaks and joined emoji, then it reads back unchanged', async () => {
      // No store may normalize, trim or re-encode: é precomposed and decomposed, Arabic, a family emoji (ZWJ), CJK.
      const bio = ' caf\u00e9 cafe\u0301\n\tمرحبا بالعالم 👨‍👩‍👧 東京 Ωmega 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ';
      const created = await users().create(aUser({ bio }));
      expect((await users().findById(created.id))?.bio).toBe(bio);
      const updated = await users().update(created.id, { bio: `${bio}!` });
      expect((await users().findById(created.id))?.bio).toBe(`${bio}!`);
      expect(updated.bio).toBe(`${bio}!`);
    });

    it('when an id is malformed, then nothing is found', async () => {
      await users().create(aUser());
      for (const id of malformedIds(context.name)) expect(await users().findById(id)).toBeNull();
    });

    it('when a username is looked up in any case, then its user is found; an unknown, deleted, padded or NUL-holding one finds nobody', async () => {
      const ada = await users().create(aUser({ username: 'Ada_Lovelace-1815' }));
      const gone = await users().create(aUser({ username: 'gone_soon' }));
      await users().delete(gone.id);
      for (const username of ['Ada_Lovelace-1815', 'ada_lovelace-1815', 'ADA_LOVELACE-1815']) expect(await users().findByUsername(username)).toEqual(ada);
      for (const username of ['gone_soon', 'Ada_Lovelace-181', 'Ada_Lovelace-1815 ', ' Ada_Lovelace-1815', 'Ada_Lovelace-1815\u0000', 'Ada%', 'Ada_Lovelace-181_', '']) {
        expect(await users().findByUsername(username)).toBeNull();
      }
    });

    it('when users are asked for by many ids at once, then those that exist come, each once, keyed by id; unknown, deleted and malformed ids find nobody', async () => {
      const [ada, bob] = [await users().create(aUser()), await users().create(aUser())];
      const gone = await users().create(aUser());
      await users().delete(gone.id);
      const found = await users().findManyById([ada.id, bob.id, ada.id, gone.id, ...malformedIds(context.name)]);
      expect([...found.keys()].sort()).toEqual([ada.id, bob.id].sort());
      expect(found.get(ada.id)).toEqual(ada);
      expect(found.get(bob.id)).toEqual(bob);
      expect((await users().findManyById([])).size).toBe(0);
      expect((await users().findManyById(malformedIds(context.name))).size).toBe(0);
    });

    it('when a well-formed id names no user, then nothing is found', async () => {
      const gone = await users().create(aUser());
      await users().delete(gone.id);
      expect(await users().findById(gone.id)).toBeNull();
    });
  });

  describe('uniqueness', () => {
    it('when an email is taken in another case, then create is a conflict on email and nothing changes', async () => {
      const first = await users().create(aUser({ email: 'grace@example.com' }));
      await expect(users().create(aUser({ email: 'GRACE@Example.COM' }))).rejects.toEqual(new ConflictError('user', 'email'));
      expect(await users().find({ limit: 10 })).toEqual({ items: [first], hasMore: false });
    });

    it('when a username is taken in another case, then create is a conflict on username', async () => {
      await users().create(aUser({ username: 'grace' }));
      await expect(users().create(aUser({ username: 'GrAcE' }))).rejects.toEqual(new ConflictError('user', 'username'));
    });

    it('when emails differ only by an accent, then both are accepted (no collation folds them)', async () => {
      await users().create(aUser({ email: 'jose@example.com' }));
      await expect(users().create(aUser({ email: 'josé@example.com' }))).resolves.toMatchObject({ email: 'josé@example.com' });
    });

    it('when emails differ only in non-ASCII case, then they conflict', async () => {
      await users().create(aUser({ email: 'émile@example.com' }));
      await expect(users().create(aUser({ email: 'ÉMILE@example.com' }))).rejects.toEqual(new ConflictError('user', 'email'));
    });

    it('when an update takes another user\'s email in another case, then it is a conflict and nothing changes', async () => {
      const taken = await users().create(aUser({ email: 'taken@example.com' }));
      const other = await users().create(aUser());
      await expect(users().update(other.id, { email: 'Taken@example.com', displayName: 'Changed' })).rejects.toEqual(
        new ConflictError('user', 'email'),
      );
      await expect(users().update(other.id, { username: taken.username.toUpperCase() })).rejects.toEqual(
        new ConflictError('user', 'username'),
      );
      expect(await users().findById(other.id)).toEqual(other);
      expect(await users().findById(taken.id)).toEqual(taken);
    });

    it('when many creates race for one email, then exactly one wins and the rest are conflicts', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => users().create(aUser({ email: i % 2 ? 'RACE@example.com' : 'race@example.com' }))),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const result of results.filter((r) => r.status === 'rejected')) {
        expect(result.reason).toEqual(new ConflictError('user', 'email'));
      }
      expect(await users().count()).toBe(1);
    });

    it('when two updates race for one username, then one wins and the other is a conflict', async () => {
      const [a, b] = [await users().create(aUser()), await users().create(aUser())];
      const results = await Promise.allSettled([users().update(a.id, { username: 'contested' }), users().update(b.id, { username: 'CONTESTED' })]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(results.find((r) => r.status === 'rejected')).toEqual({ status: 'rejected', reason: new ConflictError('user', 'username') });
    });

    it('when a user changes the case of their own email, then it is not a conflict', async () => {
      const user = await users().create(aUser({ email: 'case@example.com' }));
      await expect(users().update(user.id, { email: 'CASE@example.com' })).resolves.toMatchObject({ email: 'CASE@example.com' });
    });
  });

  describe('list', () => {
    it('when users are listed, then they come oldest first, a page at a time after the last one seen', async () => {
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await users().create(aUser()));

      expect(await users().find({ limit: 2 })).toEqual({ items: created.slice(0, 2), hasMore: true });
      expect(await users().find({ limit: 2, afterId: created[1].id })).toEqual({ items: created.slice(2, 4), hasMore: true });
      expect(await users().find({ limit: 2, afterId: created[3].id })).toEqual({ items: created.slice(4), hasMore: false });
      expect(await users().count()).toBe(5);
    });

    it('when users are skipped instead, then the same pages come', async () => {
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await users().create(aUser()));
      expect(await users().find({ limit: 2, skip: 2 })).toEqual({ items: created.slice(2, 4), hasMore: true });
      expect(await users().find({ limit: 2, skip: 9 })).toEqual({ items: [], hasMore: false });
    });

    it('when the user a page starts after is gone or the id is malformed, then the next page still comes or nothing does', async () => {
      const created = [];
      for (let i = 0; i < 3; i++) created.push(await users().create(aUser()));
      await users().delete(created[1].id);
      expect(await users().find({ limit: 5, afterId: created[1].id })).toEqual({ items: [created[2]], hasMore: false });
      for (const id of malformedIds(context.name)) expect(await users().find({ limit: 5, afterId: id })).toEqual({ items: [], hasMore: false });
    });
  });

  describe('update', () => {
    it('when some fields change, then the others stay and updatedAt moves on to the time of the change', async () => {
      // The store reads the clock from Date: frozen, and moved on by the test, instead of a sleep.
      freezeDate();
      try {
        const user = await users().create(aUser());
        expect(user.updatedAt).toEqual(new Date());
        advanceDate(1);
        const updated = await users().update(user.id, { displayName: 'New Name' });

        expect(updated).toEqual({ ...user, displayName: 'New Name', updatedAt: new Date(user.updatedAt.getTime() + 1), version: 2 });
        expect(await users().findById(user.id)).toEqual(updated);
      } finally {
        jest.useRealTimers();
      }
    });

    it('when the bio and image change, then the other fields stay; an image set to null is removed and an empty bio empties it', async () => {
      const user = await users().create(aUser({ bio: 'Before' }));

      const withImage = await users().update(user.id, { bio: 'After', image: 'http://example.com/a.png' });
      expect(withImage).toEqual({ ...user, bio: 'After', image: 'http://example.com/a.png', updatedAt: withImage.updatedAt, version: 2 });
      const renamed = await users().update(user.id, { displayName: 'Renamed' });
      expect(renamed).toMatchObject({ bio: 'After', image: 'http://example.com/a.png', version: 3 });

      const cleared = await users().update(user.id, { bio: '', image: null });
      expect(cleared).toMatchObject({ displayName: 'Renamed', bio: '', image: null, version: 4 });
      expect(await users().findById(user.id)).toEqual(cleared);
    });

    it('when the user does not exist or the id is malformed, then update is not found', async () => {
      const gone = await users().create(aUser());
      await users().delete(gone.id);
      for (const id of [gone.id, ...malformedIds(context.name)]) {
        await expect(users().update(id, { displayName: 'x' })).rejects.toBeInstanceOf(NotFoundError);
      }
    });
  });

  describe('delete', () => {
    it('when a user is deleted, then their posts go with them and other posts stay', async () => {
      const author = await users().create(aUser());
      const other = await users().create(aUser());
      await context.store.posts.create(aPost(author.id));
      await context.store.posts.create(aPost(author.id));
      const kept = await context.store.posts.create(aPost(other.id));

      await users().delete(author.id);

      expect(await users().findById(author.id)).toBeNull();
      expect(await context.store.posts.count({})).toBe(1);
      expect(await context.store.posts.findById(kept.id)).toEqual(kept);
      expect(await context.store.posts.count({ authorId: author.id })).toBe(0);
    });

    it('when the user does not exist or the id is malformed, then delete is not found', async () => {
      const gone = await users().create(aUser());
      await users().delete(gone.id);
      for (const id of [gone.id, ...malformedIds(context.name)]) {
        await expect(users().delete(id)).rejects.toEqual(new NotFoundError('user', id));
      }
    });
  });
});
