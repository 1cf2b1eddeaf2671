import { databaseConfig } from '../../src/config';
import { NotAuthorError, NotFoundError, PreconditionFailedError } from '../../src/domain/errors';
import { openStore } from '../../src/stores/open-store';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, malformedIds } from '../support/factories';
import { itUnlessGap } from '../support/store-gaps';
import { setStoredUpdatedAt } from '../support/stored-records';

const hour = 60 * 60 * 1000;

describeEachStore('versions and conditional writes contract', (context) => {
  const users = () => context.store.users;
  const posts = () => context.store.posts;
  const aPostBy = async () => posts().create(aPost((await users().create(aUser())).id));

  describe('posts', () => {
    it('when a post is created and changed, then its version starts at 1 and grows by one a change', async () => {
      const post = await aPostBy();
      expect(post.version).toBe(1);
      expect((await posts().update(post.id, { title: 'a' })).version).toBe(2);
      expect((await posts().update(post.id, { content: 'b' })).version).toBe(3);
      expect((await posts().findById(post.id))?.version).toBe(3);
    });

    it('when the expected version is current, then the change is made', async () => {
      const post = await aPostBy();
      const updated = await posts().update(post.id, { title: 'checked' }, { expected: [1] });
      expect(updated).toMatchObject({ title: 'checked', version: 2 });
      expect(await posts().findById(post.id)).toEqual(updated);
    });

    it('when one of several expected versions is current, then the change is made', async () => {
      const post = await aPostBy();
      await posts().update(post.id, { title: 'second' });
      expect((await posts().update(post.id, { title: 'third' }, { expected: [1, 2, 7] })).version).toBe(3);
    });

    it.each([
      ['a stale version', [1]],
      ['a version not reached yet', [3]],
      ['no version at all', []],
    ])('when the update expects %s, then it is refused and nothing changes', async (_case, expected) => {
      const post = await aPostBy();
      const current = await posts().update(post.id, { title: 'current' });
      await expect(posts().update(post.id, { title: 'lost' }, { expected })).rejects.toEqual(new PreconditionFailedError('post', post.id));
      expect(await posts().findById(post.id)).toEqual(current);
    });

    it('when a delete expects a stale version, then it is refused and the post stays; with the current one it goes', async () => {
      const post = await aPostBy();
      const current = await posts().update(post.id, { title: 'current' });
      await expect(posts().delete(post.id, { expected: [1] })).rejects.toEqual(new PreconditionFailedError('post', post.id));
      expect(await posts().findById(post.id)).toEqual(current);
      await posts().delete(post.id, { expected: [2] });
      expect(await posts().findById(post.id)).toBeNull();
    });

    it('when a conditional write names a post that does not exist, then it is not found, not a failed precondition', async () => {
      const gone = await aPostBy();
      await posts().delete(gone.id);
      for (const id of [gone.id, ...malformedIds(context.name)]) {
        await expect(posts().update(id, { title: 'x' }, { expected: [1] })).rejects.toEqual(new NotFoundError('post', id));
        await expect(posts().delete(id, { expected: [1] })).rejects.toEqual(new NotFoundError('post', id));
      }
    });

    it('when a write names another author, then it is refused as not the author, before any version, and nothing changes', async () => {
      const post = await aPostBy();
      const other = await users().create(aUser());
      for (const expected of [undefined, [1], [7]]) {
        await expect(posts().update(post.id, { title: 'theirs' }, { authorId: other.id, expected })).rejects.toEqual(new NotAuthorError('post', post.id));
        await expect(posts().delete(post.id, { authorId: other.id, expected })).rejects.toEqual(new NotAuthorError('post', post.id));
      }
      for (const authorId of malformedIds(context.name)) {
        await expect(posts().update(post.id, { title: 'theirs' }, { authorId })).rejects.toEqual(new NotAuthorError('post', post.id));
      }
      expect(await posts().findById(post.id)).toEqual(post);
    });

    it('when a write names the author, then a stale version is still refused as such, and the current one writes', async () => {
      const post = await aPostBy();
      const condition = { authorId: post.authorId };
      await expect(posts().update(post.id, { title: 'lost' }, { ...condition, expected: [2] })).rejects.toEqual(new PreconditionFailedError('post', post.id));
      const updated = await posts().update(post.id, { title: 'mine', tags: ['kept'] }, { ...condition, expected: [1] });
      expect(updated).toMatchObject({ title: 'mine', tags: ['kept'], version: 2 });
      expect(await posts().update(post.id, { content: 'also mine' }, condition)).toMatchObject({ content: 'also mine', tags: ['kept'], version: 3 });
      await expect(posts().delete(post.id, { ...condition, expected: [2] })).rejects.toEqual(new PreconditionFailedError('post', post.id));
      await posts().delete(post.id, condition);
      expect(await posts().findById(post.id)).toBeNull();
      await expect(posts().delete(post.id, condition)).rejects.toEqual(new NotFoundError('post', post.id));
    });
  });

  describe('users', () => {
    it('when a profile changes, then the version grows; a new password hash is not a profile change', async () => {
      const user = await users().create(aUser());
      expect(user.version).toBe(1);
      await users().setPasswordHash(user.id, 'another hash');
      expect((await users().findById(user.id))?.version).toBe(1);
      expect((await users().update(user.id, { displayName: 'Renamed' }, [1])).version).toBe(2);
    });

    it('when a user update expects a stale version, then it is refused and nothing changes', async () => {
      const user = await users().create(aUser());
      const current = await users().update(user.id, { displayName: 'Current' });
      await expect(users().update(user.id, { username: 'lost_name' }, [1])).rejects.toEqual(new PreconditionFailedError('user', user.id));
      expect(await users().findById(user.id)).toEqual(current);
    });

    it('when a user delete expects a stale version, then the user, their posts and their sessions all stay', async () => {
      const user = await users().create(aUser());
      const post = await posts().create(aPost(user.id));
      const session = { tokenHash: 'f'.repeat(64), userId: user.id, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) };
      await context.store.sessions.create(session);
      await users().update(user.id, { displayName: 'Current' });

      await expect(users().delete(user.id, [1])).rejects.toEqual(new PreconditionFailedError('user', user.id));

      expect(await users().findById(user.id)).toMatchObject({ displayName: 'Current', version: 2 });
      expect(await posts().findById(post.id)).toEqual(post);
      expect((await context.store.sessions.findWithUser(session.tokenHash))?.session).toEqual(session);
      await users().delete(user.id, [2]);
      expect(await posts().findById(post.id)).toBeNull();
    });
  });

  describe('updatedAt', () => {
    it('when a record changes, then updatedAt never goes back and createdAt stays', async () => {
      const post = await aPostBy();
      let previous = post;
      for (let round = 0; round < 5; round += 1) {
        const updated = await posts().update(post.id, { title: `round ${round}` });
        expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(previous.updatedAt.getTime());
        expect(updated.createdAt).toEqual(post.createdAt);
        previous = updated;
      }
    });

    // Another instance whose clock ran an hour ahead wrote last: this one's later write must not move updatedAt back.
    it("when a post's stored updatedAt lies an hour ahead of the clock, then an update keeps it, and still makes its change and a version", async () => {
      const post = await aPostBy();
      const ahead = new Date(Date.now() + hour);
      await setStoredUpdatedAt(context.store, 'post', post.id, ahead);

      const updated = await posts().update(post.id, { title: 'Written later' }, { expected: [1] });

      expect(updated).toEqual({ ...post, title: 'Written later', version: 2, updatedAt: ahead });
      expect(await posts().findById(post.id)).toEqual(updated);
      expect((await posts().update(post.id, { content: 'And again' })).updatedAt).toEqual(ahead);
    });

    it("when a user's stored updatedAt lies an hour ahead of the clock, then an update keeps it, and still makes its change and a version", async () => {
      const user = await users().create(aUser());
      const ahead = new Date(Date.now() + hour);
      await setStoredUpdatedAt(context.store, 'user', user.id, ahead);

      const updated = await users().update(user.id, { displayName: 'Written later' }, [1]);

      expect(updated).toEqual({ ...user, displayName: 'Written later', version: 2, updatedAt: ahead });
      expect(await users().findById(user.id)).toEqual(updated);
    });
  });

  describe('two instances of the service on one database', () => {
    itUnlessGap(context.name, 'update isolation across instances', 'when 20 conditional updates race from two instances, then exactly one wins', async () => {
      const other = await openStore(databaseConfig(context.database.url));
      try {
        const post = await aPostBy();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? posts() : other.posts).update(post.id, { title: `writer ${i}` }, { expected: [1] })),
        );
        const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toEqual(new PreconditionFailedError('post', post.id));
        }
        expect(await posts().findById(post.id)).toEqual((winners[0] as PromiseFulfilledResult<unknown>).value);
      } finally {
        await other.close();
      }
    });
  });
});
