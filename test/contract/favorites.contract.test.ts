import { NotFoundError } from '../../src/domain/errors';
import type { FavoriteQuery } from '../../src/domain/favorites';
import type { Post } from '../../src/domain/post';
import { advanceDate, freezeDate } from '../support/clock';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, malformedIds } from '../support/factories';
import { storedFavorites } from '../support/stored-records';

describeEachStore('favorites repository contract', (context) => {
  const favorites = () => context.store.favorites;
  const users = () => context.store.users;
  const posts = () => context.store.posts;
  const newUsers = (count: number) => Promise.all(Array.from({ length: count }, () => users().create(aUser())));
  const ids = (page: { items: { post: Post }[] }) => page.items.map(({ post }) => post.id);
  const countOf = async (id: string) => (await posts().findById(id))!.favoritesCount;

  afterEach(() => jest.useRealTimers());

  describe('favorite and unfavorite', () => {
    it('when a user favorites a post, then its count is 1 in every read, the list shows it, and version and updatedAt stay', async () => {
      const [ada, bob] = await newUsers(2);
      const post = await posts().create(aPost(bob.id, { tags: ['x'] }));
      expect(post.favoritesCount).toBe(0);
      const before = Date.now();
      await favorites().favorite(ada.id, post.id);

      const read = (await posts().findById(post.id))!;
      expect(read).toEqual({ ...post, favoritesCount: 1 });
      expect((await posts().find({ sort: { field: 'publicationDate', direction: 'desc' }, filter: {}, limit: 10 })).items).toEqual([read]);
      const page = await favorites().favorites({ userId: ada.id, limit: 10 });
      expect(page).toEqual({ items: [{ post: read, favoritedAt: expect.any(Date) }], hasMore: false });
      expect(page.items[0].favoritedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(await favorites().favoritedAmong(ada.id, [post.id])).toEqual(new Set([post.id]));
      expect(await storedFavorites(context.store)).toEqual([`${ada.id}>${post.id}`]);
      // An edit answers the count too.
      expect(await posts().update(post.id, { title: 'Changed' })).toMatchObject({ favoritesCount: 1, version: 2 });
      expect(await posts().update(post.id, { tags: ['y'] })).toMatchObject({ favoritesCount: 1, version: 3 });
    });

    it('when a user favorites twice, then there is one favorite, made the first time, counted once', async () => {
      freezeDate();
      const [ada] = await newUsers(1);
      const post = await posts().create(aPost(ada.id));
      await favorites().favorite(ada.id, post.id);
      const [{ favoritedAt }] = (await favorites().favorites({ userId: ada.id, limit: 10 })).items;
      advanceDate(60_000);
      await favorites().favorite(ada.id, post.id);
      expect((await favorites().favorites({ userId: ada.id, limit: 10 })).items).toEqual([{ post: { ...post, favoritesCount: 1 }, favoritedAt }]);
      expect(await countOf(post.id)).toBe(1);
      expect(await storedFavorites(context.store)).toHaveLength(1);
    });

    it('when users unfavorite, then the favorite is gone and the count down; unfavoriting again, or a post never favorited, is no error', async () => {
      const [ada, bob] = await newUsers(2);
      const [one, two] = [await posts().create(aPost(ada.id)), await posts().create(aPost(ada.id))];
      await favorites().favorite(ada.id, one.id);
      await favorites().favorite(bob.id, one.id);
      expect(await countOf(one.id)).toBe(2);
      await favorites().unfavorite(ada.id, one.id);
      await favorites().unfavorite(ada.id, one.id);
      await favorites().unfavorite(ada.id, two.id);
      expect(await countOf(one.id)).toBe(1);
      expect(await countOf(two.id)).toBe(0);
      expect(await storedFavorites(context.store)).toEqual([`${bob.id}>${one.id}`]);
      expect(await favorites().favoritedAmong(ada.id, [one.id, two.id])).toEqual(new Set());
    });

    it('when the post is unknown or malformed, then NotFoundError naming it, for favorite and unfavorite, and nothing is written', async () => {
      const [ada] = await newUsers(1);
      const gone = await posts().create(aPost(ada.id));
      await posts().delete(gone.id);
      for (const id of [gone.id, ...malformedIds(context.name)]) {
        await expect(favorites().favorite(ada.id, id)).rejects.toThrow(new NotFoundError('post', id));
        await expect(favorites().unfavorite(ada.id, id)).rejects.toThrow(new NotFoundError('post', id));
      }
      expect(await storedFavorites(context.store)).toEqual([]);
    });

    it('when the user is unknown, then NotFoundError naming the user, nothing is written and nothing counted', async () => {
      const [ada, gone] = await newUsers(2);
      const post = await posts().create(aPost(ada.id));
      await users().delete(gone.id);
      await expect(favorites().favorite(gone.id, post.id)).rejects.toThrow(new NotFoundError('user', gone.id));
      expect(await storedFavorites(context.store)).toEqual([]);
      expect(await countOf(post.id)).toBe(0);
    });
  });

  describe('lists and filters', () => {
    it('when posts are favorited over time, then the list is most recently favorited first, and cursors walk it without repeat or gap', async () => {
      freezeDate();
      const [ada] = await newUsers(1);
      const written: Post[] = [];
      for (let i = 0; i < 5; i += 1) written.push(await posts().create(aPost(ada.id)));
      // Favorited in another order than written.
      const order = [written[2], written[0], written[4], written[1], written[3]];
      for (const post of order) {
        advanceDate(1_000);
        await favorites().favorite(ada.id, post.id);
      }
      const newestFirst = [...order].reverse().map(({ id }) => id);
      for (const limit of [1, 2, 10]) expect(await walk(ada.id, limit)).toEqual(newestFirst);
    });

    it("when posts are favorited at the same instant, then the post's id breaks the tie, descending", async () => {
      freezeDate();
      const [ada] = await newUsers(1);
      const written: Post[] = [];
      for (let i = 0; i < 4; i += 1) written.push(await posts().create(aPost(ada.id)));
      for (const post of written) await favorites().favorite(ada.id, post.id);
      const byIdDescending = written.map(({ id }) => id).sort(compareIds).reverse();
      for (const limit of [1, 3]) expect(await walk(ada.id, limit)).toEqual(byIdDescending);
    });

    it('when posts are filtered by favoritedBy, alone or with other filters, then only that user\'s favorites match, and count agrees', async () => {
      const [ada, bob] = await newUsers(2);
      const mine = await posts().create(aPost(ada.id, { tags: ['a'] }));
      const theirs = await posts().create(aPost(bob.id, { tags: ['a'] }));
      const untagged = await posts().create(aPost(bob.id));
      await posts().create(aPost(bob.id, { tags: ['a'] }));
      for (const post of [mine, theirs, untagged]) await favorites().favorite(ada.id, post.id);
      await favorites().favorite(bob.id, mine.id);
      const find = async (filter: object) => (await posts().find({ sort: { field: 'createdAt', direction: 'asc' }, filter, limit: 10 })).items.map(({ id }) => id);
      expect(await find({ favoritedBy: ada.id })).toEqual([mine.id, theirs.id, untagged.id]);
      expect(await find({ favoritedBy: ada.id, tags: ['a'] })).toEqual([mine.id, theirs.id]);
      expect(await find({ favoritedBy: ada.id, authorId: bob.id, tags: ['a'] })).toEqual([theirs.id]);
      expect(await find({ favoritedBy: bob.id })).toEqual([mine.id]);
      expect(await posts().count({ favoritedBy: ada.id, tags: ['a'] })).toBe(2);
      const paged = await posts().find({ sort: { field: 'createdAt', direction: 'asc' }, filter: { favoritedBy: ada.id }, limit: 2 });
      expect(paged.hasMore).toBe(true);
      const next = await posts().find({ sort: { field: 'createdAt', direction: 'asc' }, filter: { favoritedBy: ada.id }, limit: 2, after: { value: paged.items[1].createdAt, id: paged.items[1].id } });
      expect(next.items.map(({ id }) => id)).toEqual([untagged.id]);
    });

    it('when the list, cursor or favoritedBy names an id no user or post could have, then nothing matches', async () => {
      const [ada] = await newUsers(1);
      const post = await posts().create(aPost(ada.id));
      await favorites().favorite(ada.id, post.id);
      for (const id of malformedIds(context.name)) {
        expect(await favorites().favorites({ userId: id, limit: 10 })).toEqual({ items: [], hasMore: false });
        expect(await favorites().favorites({ userId: ada.id, limit: 10, after: { value: new Date(), id } })).toEqual({ items: [], hasMore: false });
        expect((await posts().find({ sort: { field: 'createdAt', direction: 'asc' }, filter: { favoritedBy: id }, limit: 10 })).items).toEqual([]);
        expect(await posts().count({ favoritedBy: id })).toBe(0);
        expect(await favorites().favoritedAmong(id, [post.id])).toEqual(new Set());
      }
    });

    it('when asked which of a page of posts a user favorites, then exactly those, unknown and malformed ids included', async () => {
      const [ada, bob] = await newUsers(2);
      const written = await Promise.all(Array.from({ length: 5 }, () => posts().create(aPost(bob.id))));
      await favorites().favorite(ada.id, written[1].id);
      await favorites().favorite(ada.id, written[3].id);
      await favorites().favorite(bob.id, written[0].id);
      const asked = [...written.map(({ id }) => id), ...malformedIds(context.name)];
      expect(await favorites().favoritedAmong(ada.id, asked)).toEqual(new Set([written[1].id, written[3].id]));
      expect(await favorites().favoritedAmong(bob.id, asked)).toEqual(new Set([written[0].id]));
      expect(await favorites().favoritedAmong(ada.id, [])).toEqual(new Set());
    });
  });

  describe('deletes leave nothing behind', () => {
    it('when a favorited post is deleted, then its favorites are gone, and the others stay', async () => {
      const [ada, bob] = await newUsers(2);
      const [gone, kept] = [await posts().create(aPost(ada.id)), await posts().create(aPost(ada.id))];
      for (const user of [ada, bob]) await favorites().favorite(user.id, gone.id);
      await favorites().favorite(bob.id, kept.id);
      await posts().delete(gone.id);
      expect(await storedFavorites(context.store)).toEqual([`${bob.id}>${kept.id}`]);
      expect(ids(await favorites().favorites({ userId: ada.id, limit: 10 }))).toEqual([]);
    });

    it("when a user is deleted, then their favorites go and those posts' counts go down, and their posts' favorites go", async () => {
      const [gone, ada, bob] = await newUsers(3);
      const theirs = await posts().create(aPost(gone.id));
      const [one, two] = [await posts().create(aPost(ada.id)), await posts().create(aPost(bob.id))];
      for (const post of [one, two]) await favorites().favorite(gone.id, post.id);
      await favorites().favorite(ada.id, two.id);
      await favorites().favorite(ada.id, theirs.id);
      await favorites().favorite(bob.id, theirs.id);
      await users().delete(gone.id);
      expect(await storedFavorites(context.store)).toEqual([`${ada.id}>${two.id}`]);
      expect(await countOf(one.id)).toBe(0);
      expect(await countOf(two.id)).toBe(1);
      expect(ids(await favorites().favorites({ userId: bob.id, limit: 10 }))).toEqual([]);
    });
  });

  describe('races', () => {
    it('when 10 users send 50 favorites and unfavorites of one post at once, a user racing itself included, then the count, the flags and the lists say what the store holds', async () => {
      const [author, ...fans] = await newUsers(11);
      const post = await posts().create(aPost(author.id));
      const requests = Array.from({ length: 50 }, (_, i) => {
        const fan = fans[i % fans.length];
        return i % 3 === 0 ? favorites().unfavorite(fan.id, post.id) : favorites().favorite(fan.id, post.id);
      });
      await Promise.all(requests);
      const held = (await storedFavorites(context.store)).map((pair) => pair.split('>')[0]).sort();
      expect(new Set(held).size).toBe(held.length);
      expect(await countOf(post.id)).toBe(held.length);
      const flagged = await Promise.all(fans.map(async (fan) => ((await favorites().favoritedAmong(fan.id, [post.id])).has(post.id) ? [fan.id] : [])));
      expect(flagged.flat().sort()).toEqual(held);
      for (const fan of fans) expect(ids(await favorites().favorites({ userId: fan.id, limit: 10 }))).toEqual(held.includes(fan.id) ? [post.id] : []);
    });
  });

  /** Every page of a user's favorites, `limit` at a time, by cursor: the posts' ids in the order served. */
  async function walk(userId: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let after: FavoriteQuery['after'];
    for (;;) {
      const page = await favorites().favorites({ userId, limit, after });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...ids(page));
      if (!page.hasMore) return seen;
      const last = page.items.at(-1)!;
      after = { value: last.favoritedAt, id: last.post.id };
    }
  }

  /** Ids as the store orders them: numbers on SQL, ObjectIds (fixed-width hex) on MongoDB. */
  function compareIds(a: string, b: string): number {
    return context.name === 'mongodb' ? a.localeCompare(b) : Number(a) - Number(b);
  }
});
