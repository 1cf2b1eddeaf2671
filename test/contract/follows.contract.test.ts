import { NotFoundError } from '../../src/domain/errors';
import { type FollowQuery, SelfFollowError } from '../../src/domain/follows';
import type { User } from '../../src/domain/user';
import { advanceDate, freezeDate } from '../support/clock';
import { describeEachStore } from '../support/each-store';
import { aUser, malformedIds } from '../support/factories';
import { storedFollows } from '../support/stored-records';

describeEachStore('follows repository contract', (context) => {
  const follows = () => context.store.follows;
  const users = () => context.store.users;
  const newUsers = (count: number) => Promise.all(Array.from({ length: count }, () => users().create(aUser())));
  const ids = (page: { items: { user: User }[] }) => page.items.map(({ user }) => user.id);

  afterEach(() => jest.useRealTimers());

  describe('follow and unfollow', () => {
    it('when a user follows another, then the follow shows in both lists, with the users as they are and when it was made', async () => {
      const [ada, bob] = await newUsers(2);
      const before = Date.now();
      await follows().follow(ada.id, bob.id);

      const followers = await follows().followers({ userId: bob.id, limit: 10 });
      expect(followers).toEqual({ items: [{ user: ada, followedAt: expect.any(Date) }], hasMore: false });
      expect(followers.items[0].followedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(await follows().following({ userId: ada.id, limit: 10 })).toEqual({ items: [{ user: bob, followedAt: followers.items[0].followedAt }], hasMore: false });
      expect(await follows().following({ userId: bob.id, limit: 10 })).toEqual({ items: [], hasMore: false });
      expect(await follows().followeeIds(ada.id)).toEqual([bob.id]);
    });

    it('when a user follows twice, then there is one follow, made the first time', async () => {
      freezeDate();
      const [ada, bob] = await newUsers(2);
      await follows().follow(ada.id, bob.id);
      const [{ followedAt }] = (await follows().followers({ userId: bob.id, limit: 10 })).items;
      advanceDate(60_000);
      await follows().follow(ada.id, bob.id);
      expect((await follows().followers({ userId: bob.id, limit: 10 })).items).toEqual([{ user: ada, followedAt }]);
      expect(await storedFollows(context.store)).toEqual([`${ada.id}>${bob.id}`]);
    });

    it('when a user unfollows, then the follow is gone; unfollowing again, or someone never followed, is no error', async () => {
      const [ada, bob, cy] = await newUsers(3);
      await follows().follow(ada.id, bob.id);
      await follows().unfollow(ada.id, bob.id);
      await follows().unfollow(ada.id, bob.id);
      await follows().unfollow(ada.id, cy.id);
      expect(await follows().followers({ userId: bob.id, limit: 10 })).toEqual({ items: [], hasMore: false });
      expect(await follows().followeeIds(ada.id)).toEqual([]);
      expect(await storedFollows(context.store)).toEqual([]);
    });

    it('when a user follows or unfollows themselves, then SelfFollowError, and nothing is written', async () => {
      const [ada] = await newUsers(1);
      await expect(follows().follow(ada.id, ada.id)).rejects.toThrow(SelfFollowError);
      await expect(follows().unfollow(ada.id, ada.id)).rejects.toThrow(SelfFollowError);
      expect(await storedFollows(context.store)).toEqual([]);
    });

    it('when the followee is unknown or malformed, then NotFoundError naming it, for follow and unfollow, and nothing is written', async () => {
      const [ada, gone] = await newUsers(2);
      await users().delete(gone.id);
      for (const id of [gone.id, ...malformedIds(context.name)]) {
        await expect(follows().follow(ada.id, id)).rejects.toThrow(new NotFoundError('user', id));
        await expect(follows().unfollow(ada.id, id)).rejects.toThrow(new NotFoundError('user', id));
      }
      expect(await storedFollows(context.store)).toEqual([]);
    });

    it('when the follower is unknown, then NotFoundError naming the follower, and nothing is written', async () => {
      const [ada, gone] = await newUsers(2);
      await users().delete(gone.id);
      await expect(follows().follow(gone.id, ada.id)).rejects.toThrow(new NotFoundError('user', gone.id));
      expect(await storedFollows(context.store)).toEqual([]);
    });
  });

  describe('lists', () => {
    it('when follows are made over time, then both lists are newest first, and cursors walk them without repeat or gap', async () => {
      freezeDate();
      const [star, ...fans] = await newUsers(6);
      for (const fan of fans) {
        advanceDate(1_000);
        await follows().follow(fan.id, star.id);
        await follows().follow(star.id, fan.id);
      }
      const newestFirst = [...fans].reverse().map(({ id }) => id);
      expect(await walk((query) => follows().followers(query), star.id, 2)).toEqual(newestFirst);
      expect(await walk((query) => follows().following(query), star.id, 4)).toEqual(newestFirst);
      expect(await walk((query) => follows().followers(query), star.id, 10)).toEqual(newestFirst);
    });

    it('when follows are made at the same instant, then the other user\'s id breaks the tie, descending, and cursors split ties exactly', async () => {
      freezeDate();
      const [star, ...fans] = await newUsers(5);
      for (const fan of fans) await follows().follow(fan.id, star.id);
      await follows().follow(star.id, fans[0].id);
      advanceDate(1_000);
      await follows().follow(star.id, fans[1].id);
      const byIdDescending = fans.map(({ id }) => id).sort(compareIds).reverse();
      for (const limit of [1, 2, 3, 4]) expect(await walk((query) => follows().followers(query), star.id, limit)).toEqual(byIdDescending);
      expect(await walk((query) => follows().following(query), star.id, 1)).toEqual([fans[1].id, fans[0].id]);
    });

    it('when the list or cursor names an id no user could have, then the page is empty', async () => {
      const [ada, bob] = await newUsers(2);
      await follows().follow(ada.id, bob.id);
      for (const id of malformedIds(context.name)) {
        expect(await follows().followers({ userId: id, limit: 10 })).toEqual({ items: [], hasMore: false });
        expect(await follows().followers({ userId: bob.id, limit: 10, after: { value: new Date(), id } })).toEqual({ items: [], hasMore: false });
        expect(await follows().followeeIds(id)).toEqual([]);
      }
    });
  });

  describe('flags', () => {
    it('when asked which of a page of users one follows, then the answer is exactly those, unknown and malformed ids included', async () => {
      const [ada, ...others] = await newUsers(6);
      await follows().follow(ada.id, others[1].id);
      await follows().follow(ada.id, others[3].id);
      await follows().follow(others[0].id, ada.id);
      const asked = [ada.id, ...others.map(({ id }) => id), ...malformedIds(context.name)];
      expect(await follows().followedAmong(ada.id, asked)).toEqual(new Set([others[1].id, others[3].id]));
      expect(await follows().followedAmong(others[0].id, asked)).toEqual(new Set([ada.id]));
      expect(await follows().followedAmong(others[2].id, asked)).toEqual(new Set());
      expect(await follows().followedAmong(ada.id, [])).toEqual(new Set());
    });
  });

  describe('deleting a user', () => {
    it('when a user with follows both ways is deleted, then none of their follows is left in the store, and the others stay', async () => {
      const [gone, ...others] = await newUsers(5);
      for (const other of others) {
        await follows().follow(gone.id, other.id);
        await follows().follow(other.id, gone.id);
      }
      await follows().follow(others[0].id, others[1].id);
      await users().delete(gone.id);
      expect(await storedFollows(context.store)).toEqual([`${others[0].id}>${others[1].id}`]);
      expect(ids(await follows().following({ userId: others[0].id, limit: 10 }))).toEqual([others[1].id]);
      expect(await follows().followers({ userId: others[0].id, limit: 10 })).toEqual({ items: [], hasMore: false });
    });
  });

  describe('races', () => {
    it('when 10 users send 50 follows and unfollows of one user at once, a user racing itself included, then the lists and flags say what the store holds', async () => {
      const [target, ...fans] = await newUsers(11);
      const requests = Array.from({ length: 50 }, (_, i) => {
        const fan = fans[i % fans.length];
        return i % 3 === 0 ? follows().unfollow(fan.id, target.id) : follows().follow(fan.id, target.id);
      });
      await Promise.all(requests);
      const held = (await storedFollows(context.store)).map((pair) => pair.split('>')[0]).sort();
      expect(new Set(held).size).toBe(held.length);
      expect((await walk((query) => follows().followers(query), target.id, 3)).sort()).toEqual(held);
      const flagged = await Promise.all(fans.map(async (fan) => ((await follows().followedAmong(fan.id, [target.id])).has(target.id) ? [fan.id] : [])));
      expect(flagged.flat().sort()).toEqual(held);
      for (const fan of fans) expect(await follows().followeeIds(fan.id)).toEqual(held.includes(fan.id) ? [target.id] : []);
    });
  });

  /** Every page of a list, `limit` at a time, by cursor: the other users' ids in the order served. */
  async function walk(list: (query: FollowQuery) => Promise<{ items: { user: User; followedAt: Date }[]; hasMore: boolean }>, userId: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let after: FollowQuery['after'];
    for (;;) {
      const page = await list({ userId, limit, after });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...ids(page));
      if (!page.hasMore) return seen;
      const last = page.items.at(-1)!;
      after = { value: last.followedAt, id: last.user.id };
    }
  }

  /** Ids as the store orders them: numbers on SQL, ObjectIds (fixed-width hex) on MongoDB. */
  function compareIds(a: string, b: string): number {
    return context.name === 'mongodb' ? a.localeCompare(b) : Number(a) - Number(b);
  }
});
