import { InvalidReferenceError, NotFoundError } from '../../src/domain/errors';
import type { PostQuery } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import { advanceDate, freezeDate } from '../support/clock';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, emoji, malformedIds } from '../support/factories';

describeEachStore('posts repository contract', (context) => {
  const posts = () => context.store.posts;
  const newAuthor = async () => (await context.store.users.create(aUser())).id;
  const newestFirst: PostQuery = { sort: { field: 'publicationDate', direction: 'desc' }, filter: {}, limit: 100 };

  describe('create and find', () => {
    it('when a post is created without a publication date, then it is published at creation time', async () => {
      const authorId = await newAuthor();
      const created = await posts().create({ authorId, title: 'Hello', content: 'World' });

      expect(created).toEqual({
        id: expect.any(String),
        authorId,
        title: 'Hello',
        slugSuffix: expect.stringMatching(/^[0-9a-z]+$/),
        description: '',
        content: 'World',
        publicationDate: created.createdAt,
        createdAt: expect.any(Date),
        updatedAt: created.createdAt,
        tags: [],
        version: 1,
        favoritesCount: 0,
      });
      expect(await posts().findById(created.id)).toEqual(created);
    });

    it('when a publication date has milliseconds, then they survive the round trip', async () => {
      const publicationDate = new Date('2024-02-29T23:59:59.987Z');
      const created = await posts().create(aPost(await newAuthor(), { publicationDate }));
      expect((await posts().findById(created.id))?.publicationDate.toISOString()).toBe('2024-02-29T23:59:59.987Z');
    });

    it('when publication dates are at the ends of the supported range, then they are stored exactly', async () => {
      const authorId = await newAuthor();
      for (const iso of ['1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1969-12-31T23:59:59.999Z']) {
        const created = await posts().create(aPost(authorId, { publicationDate: new Date(iso) }));
        expect((await posts().findById(created.id))?.publicationDate.toISOString()).toBe(iso);
      }
    });

    it('when title and content are at their longest and outside the BMP, then they are stored intact', async () => {
      const title = emoji(255);
      const content = emoji(100_000);
      const created = await posts().create(aPost(await newAuthor(), { title, content }));
      const found = await posts().findById(created.id);
      expect(found?.title).toBe(title);
      expect(found?.content).toBe(content);
    });

    it('when a description is given, at its longest and outside the BMP, then it is stored intact; changed alone, the rest stays; emptied, it is empty', async () => {
      const description = emoji(1_000);
      const created = await posts().create(aPost(await newAuthor(), { description }));
      expect(created.description).toBe(description);
      expect(await posts().findById(created.id)).toEqual(created);
      const changed = await posts().update(created.id, { description: 'What it is about' });
      expect(changed).toEqual({ ...created, description: 'What it is about', version: 2, updatedAt: changed.updatedAt });
      expect(await posts().findById(created.id)).toEqual(changed);
      expect((await posts().update(created.id, { description: '' })).description).toBe('');
      const [listed] = (await posts().find({ ...newestFirst, filter: { authorId: created.authorId } })).items;
      expect(listed).toEqual(await posts().findById(created.id));
    });

    it('when text mixes scripts, combining marks and quotes, then it is stored byte for byte', async () => {
      const title = `Ünïcödé 漢字 e\u0301 "quotes" 'single' \\ back\tslash`;
      const created = await posts().create(aPost(await newAuthor(), { title, content: `${title}\n\r\n` }));
      expect(await posts().findById(created.id)).toMatchObject({ title, content: `${title}\n\r\n` });
    });

    it('when the author does not exist, then create is an invalid reference and nothing is stored', async () => {
      const gone = await newAuthor();
      await context.store.users.delete(gone);
      for (const authorId of [gone, ...malformedIds(context.name)]) {
        await expect(posts().create(aPost(authorId))).rejects.toEqual(new InvalidReferenceError('authorId', authorId));
      }
      expect(await posts().count({})).toBe(0);
    });

    it('when an id is malformed or names no post, then nothing is found', async () => {
      const gone = await posts().create(aPost(await newAuthor()));
      await posts().delete(gone.id);
      for (const id of [gone.id, ...malformedIds(context.name)]) expect(await posts().findById(id)).toBeNull();
    });
  });

  describe('list', () => {
    it('when posts are listed, then the newest publication date comes first and ties put the newest post first', async () => {
      const authorId = await newAuthor();
      const at = (iso: string) => aPost(authorId, { publicationDate: new Date(iso) });
      const old = await posts().create(at('2020-01-01T00:00:00.000Z'));
      const tieA = await posts().create(at('2022-06-01T12:00:00.000Z'));
      const tieB = await posts().create(at('2022-06-01T12:00:00.000Z'));
      const tieC = await posts().create(at('2022-06-01T12:00:00.000Z'));
      const newest = await posts().create(at('2023-01-01T00:00:00.001Z'));
      const expected = [newest, tieC, tieB, tieA, old];

      expect(await posts().find(newestFirst)).toEqual({ items: expected, hasMore: false });
      const pages: Post[] = [];
      for (let skip = 0; skip < 5; skip += 2) pages.push(...(await posts().find({ ...newestFirst, skip, limit: 2 })).items);
      expect(pages).toEqual(expected);
    });

    it('when listing one author, then only their posts come, in the same order, with their total', async () => {
      const authorId = await newAuthor();
      const otherId = await newAuthor();
      const first = await posts().create(aPost(authorId, { publicationDate: new Date('2021-01-01T00:00:00Z') }));
      await posts().create(aPost(otherId));
      const second = await posts().create(aPost(authorId, { publicationDate: new Date('2021-01-02T00:00:00Z') }));

      expect(await posts().find({ ...newestFirst, filter: { authorId } })).toEqual({ items: [second, first], hasMore: false });
      expect(await posts().count({ authorId })).toBe(2);
      expect(await posts().find({ ...newestFirst, filter: { authorId }, skip: 1, limit: 1 })).toEqual({ items: [first], hasMore: false });
    });

    it('when the author is unknown or malformed, then their list is empty', async () => {
      await posts().create(aPost(await newAuthor()));
      const gone = await newAuthor();
      await context.store.users.delete(gone);
      for (const id of [gone, ...malformedIds(context.name)]) {
        expect(await posts().find({ ...newestFirst, filter: { authorId: id } })).toEqual({ items: [], hasMore: false });
      }
    });
  });

  describe('update and delete', () => {
    it('when some fields change, then the others and the author stay and updatedAt moves on to the time of the change', async () => {
      // The store reads the clock from Date: frozen, and moved on by the test, instead of a sleep.
      freezeDate();
      try {
        const post = await posts().create(aPost(await newAuthor()));
        expect(post.updatedAt).toEqual(new Date());
        advanceDate(1);
        const publicationDate = new Date('2030-05-05T05:05:05.505Z');
        const updated = await posts().update(post.id, { title: 'New title', publicationDate });

        expect(updated).toEqual({ ...post, title: 'New title', publicationDate, updatedAt: new Date(post.updatedAt.getTime() + 1), version: 2 });
        expect(await posts().findById(post.id)).toEqual(updated);
      } finally {
        jest.useRealTimers();
      }
    });

    it('when the post does not exist or the id is malformed, then update and delete are not found', async () => {
      const gone = await posts().create(aPost(await newAuthor()));
      await posts().delete(gone.id);
      for (const id of [gone.id, ...malformedIds(context.name)]) {
        await expect(posts().update(id, { title: 'x' })).rejects.toEqual(new NotFoundError('post', id));
        await expect(posts().delete(id)).rejects.toEqual(new NotFoundError('post', id));
      }
    });

    it('when a post is deleted, then only that post is gone', async () => {
      const authorId = await newAuthor();
      const deleted = await posts().create(aPost(authorId));
      const kept = await posts().create(aPost(authorId));
      await posts().delete(deleted.id);
      expect(await posts().find(newestFirst)).toEqual({ items: [kept], hasMore: false });
    });
  });
});
