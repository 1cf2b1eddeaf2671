import type { AuthoredComment, CommentQuery } from '../../src/domain/comment';
import { InvalidReferenceError, NotAuthorError, NotFoundError } from '../../src/domain/errors';
import type { User } from '../../src/domain/user';
import { advanceDate, freezeDate } from '../support/clock';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, emoji, malformedIds } from '../support/factories';

describeEachStore('comments repository contract', (context) => {
  const comments = () => context.store.comments;
  const newUser = () => context.store.users.create(aUser());
  const newPost = async (author?: User) => context.store.posts.create(aPost((author ?? (await newUser())).id));
  const page = (postId: string, limit = 100, after?: CommentQuery['after']) => comments().find({ postId, limit, after });
  const newestPage = (postId: string, limit = 100, after?: CommentQuery['after']) => comments().find({ postId, limit, order: 'newest', after });

  describe('create and find', () => {
    it('when a comment is created, then it is found by its post with its author as they are now', async () => {
      const author = await newUser();
      const post = await newPost();
      const created = await comments().create({ postId: post.id, authorId: author.id, content: 'Well said' });

      expect(created).toEqual({ id: expect.any(String), number: expect.any(Number), postId: post.id, authorId: author.id, content: 'Well said', createdAt: expect.any(Date), updatedAt: created.createdAt });
      expect(await comments().findById(post.id, created.id)).toEqual({ ...created, author });

      const renamed = await context.store.users.update(author.id, { displayName: 'Renamed', bio: 'Now with a bio' });
      expect((await comments().findById(post.id, created.id))?.author).toEqual(renamed);
    });

    it('when content is at its longest and outside the BMP, then it is stored intact, with milliseconds', async () => {
      const post = await newPost();
      const content = `${emoji(9_990)}e\u0301 "x" \\ \t\n`;
      const created = await comments().create({ postId: post.id, authorId: post.authorId, content });
      const found = await comments().findById(post.id, created.id);
      expect(found?.content).toBe(content);
      expect(found?.createdAt.getTime()).toBe(created.createdAt.getTime());
    });

    it('when the post is deleted, unknown or malformed, then create is not found and nothing is stored', async () => {
      const author = await newUser();
      const gone = await newPost(author);
      await context.store.posts.delete(gone.id);
      for (const postId of [gone.id, ...malformedIds(context.name)]) {
        await expect(comments().create({ postId, authorId: author.id, content: 'Too late' })).rejects.toEqual(new NotFoundError('post', postId));
      }
      const kept = await newPost(author);
      expect(await page(kept.id)).toEqual({ items: [], hasMore: false });
    });

    it('when the author is gone, then create is an invalid reference and nothing is stored', async () => {
      const post = await newPost();
      const gone = await newUser();
      await context.store.users.delete(gone.id);
      await expect(comments().create({ postId: post.id, authorId: gone.id, content: 'Ghost' })).rejects.toEqual(new InvalidReferenceError('authorId', gone.id));
      expect(await page(post.id)).toEqual({ items: [], hasMore: false });
    });

    it('when comments are created, then each has a positive integer number of its own, increasing, that finds it under its post only', async () => {
      const post = await newPost();
      const other = await newPost();
      const created = [];
      for (const content of ['One', 'Two', 'Three']) created.push(await comments().create({ postId: post.id, authorId: post.authorId, content }));
      const elsewhere = await comments().create({ postId: other.id, authorId: other.authorId, content: 'Elsewhere' });
      const numbers = [...created, elsewhere].map(({ number }) => number);
      for (const number of numbers) expect(Number.isSafeInteger(number) && number > 0).toBe(true);
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      expect(new Set(numbers).size).toBe(4);
      for (const comment of created) expect(await comments().findByNumber(post.id, comment.number)).toEqual(await comments().findById(post.id, comment.id));
      expect((await page(post.id))?.items.map(({ number }) => number)).toEqual(created.map(({ number }) => number));
      expect(await comments().findByNumber(post.id, elsewhere.number)).toBeNull();
      expect(await comments().findByNumber(other.id, elsewhere.number)).toMatchObject({ id: elsewhere.id, content: 'Elsewhere' });
      await comments().delete(post.id, created[0].id, post.authorId);
      for (const number of [created[0].number, Math.max(...numbers) + 1_000, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]) expect(await comments().findByNumber(post.id, number)).toBeNull();
      for (const postId of malformedIds(context.name)) expect(await comments().findByNumber(postId, created[1].number)).toBeNull();
    });

    it('when a comment id is unknown, malformed or belongs to another post, then nothing is found', async () => {
      const post = await newPost();
      const other = await newPost();
      const comment = await comments().create({ postId: other.id, authorId: other.authorId, content: 'Elsewhere' });
      expect(await comments().findById(post.id, comment.id)).toBeNull();
      for (const id of malformedIds(context.name)) {
        expect(await comments().findById(post.id, id)).toBeNull();
        expect(await comments().findById(id, comment.id)).toBeNull();
      }
    });
  });

  describe('list', () => {
    it('when a post has comments, then they come oldest first, across pages by keyset, each with its author', async () => {
      const [ada, bob] = [await newUser(), await newUser()];
      const post = await newPost(ada);
      const other = await newPost(bob);
      const written: AuthoredComment[] = [];
      for (let i = 0; i < 7; i += 1) {
        const author = i % 2 === 0 ? ada : bob;
        written.push({ ...(await comments().create({ postId: post.id, authorId: author.id, content: `Comment ${i}` })), author });
        await comments().create({ postId: other.id, authorId: ada.id, content: `Other ${i}` });
      }
      // Created one after another by one process: oldest first, ties by id, is the order written on every store.
      expect(await page(post.id)).toEqual({ items: written, hasMore: false });
      const walked: AuthoredComment[] = [];
      let after: CommentQuery['after'];
      for (let pages = 0; pages < 4; pages += 1) {
        const slice = (await page(post.id, 3, after))!;
        walked.push(...slice.items);
        expect(slice.hasMore).toBe(pages < 2);
        if (!slice.hasMore) break;
        const last = slice.items.at(-1)!;
        after = { value: last.createdAt, id: last.id };
      }
      expect(walked).toEqual(written);
    });

    it('when comments share one instant, then the id breaks the tie, and a cursor in the middle of the tie goes on after it', async () => {
      const post = await newPost();
      const written = [];
      for (let i = 0; i < 4; i += 1) written.push(await comments().create({ postId: post.id, authorId: post.authorId, content: `Tie ${i}` }));
      const all = (await page(post.id))!.items;
      const [first, second] = all;
      // The page after the first item, as a cursor at the same instant with that id names it.
      const rest = await page(post.id, 100, { value: first.createdAt, id: first.id });
      expect(rest?.items).toEqual(all.slice(1));
      expect((await page(post.id, 1, { value: second.createdAt, id: second.id }))?.items).toEqual(all.slice(2, 3));
      expect(all.map(({ id }) => id).sort()).toEqual(written.map(({ id }) => id).sort());
    });

    it('when the post is unknown or malformed, then there is no list; a cursor id no comment could have ends it', async () => {
      const gone = await newPost();
      await context.store.posts.delete(gone.id);
      for (const postId of [gone.id, ...malformedIds(context.name)]) expect(await page(postId)).toBeNull();
      const post = await newPost();
      await comments().create({ postId: post.id, authorId: post.authorId, content: 'One' });
      for (const id of malformedIds(context.name)) {
        expect(await page(post.id, 10, { value: new Date('2000-01-01T00:00:00.000Z'), id })).toEqual({ items: [], hasMore: false });
      }
    });
  });

  describe('list newest first', () => {
    afterEach(() => jest.useRealTimers());

    /**
     * Seven comments on one post at four instants a second apart, by two authors in turn, as many as three
     * sharing an instant, with a comment on another post after each; in the order written, which is oldest
     * first, ties by id, on every store (ids grow as one process writes).
     */
    async function commentsWithTies(): Promise<{ postId: string; written: AuthoredComment[] }> {
      freezeDate();
      const [ada, bob] = [await newUser(), await newUser()];
      const post = await newPost(ada);
      const other = await newPost(bob);
      const written: AuthoredComment[] = [];
      for (const sharing of [1, 3, 1, 2]) {
        for (let i = 0; i < sharing; i += 1) {
          const author = written.length % 2 === 0 ? ada : bob;
          written.push({ ...(await comments().create({ postId: post.id, authorId: author.id, content: `Comment ${written.length}` })), author });
          await comments().create({ postId: other.id, authorId: ada.id, content: `Other ${written.length}` });
        }
        advanceDate(1_000);
      }
      return { postId: post.id, written };
    }

    it('when comments are listed newest first, then the newest comes first, ties by id descending, each with its author, within the limit', async () => {
      const { postId, written } = await commentsWithTies();
      const newest = [...written].reverse();
      const { items } = (await newestPage(postId))!;
      expect(items.map(({ content }) => content)).toEqual(['Comment 6', 'Comment 5', 'Comment 4', 'Comment 3', 'Comment 2', 'Comment 1', 'Comment 0']);
      expect(await newestPage(postId)).toEqual({ items: newest, hasMore: false });
      expect(await newestPage(postId, 3)).toEqual({ items: newest.slice(0, 3), hasMore: true });
      expect(await newestPage(postId, 7)).toEqual({ items: newest, hasMore: false });
      // The default order is unchanged, and exactly the reverse.
      expect(await page(postId)).toEqual({ items: written, hasMore: false });
      expect(await comments().find({ postId, limit: 100, order: 'oldest' })).toEqual({ items: written, hasMore: false });
    });

    it('when comments are walked newest first by keyset, then each comes once, in order, with no gap, whatever the page size, cursors inside ties included', async () => {
      const { postId, written } = await commentsWithTies();
      const newest = [...written].reverse();
      for (const limit of [1, 2, 3]) {
        const walked: AuthoredComment[] = [];
        let after: CommentQuery['after'];
        for (let pages = 0; pages <= newest.length; pages += 1) {
          const slice = (await newestPage(postId, limit, after))!;
          const remaining = newest.length - walked.length;
          expect(slice.items).toHaveLength(Math.min(limit, remaining));
          expect(slice.hasMore).toBe(remaining > limit);
          walked.push(...slice.items);
          if (!slice.hasMore) break;
          const last = slice.items.at(-1)!;
          after = { value: last.createdAt, id: last.id };
        }
        expect(walked).toEqual(newest);
      }
      // Strictly before the position: a cursor at the middle of three ties goes on with the one of lower id.
      const [tieFirst, tieMiddle, tieLast] = written.slice(1, 4);
      expect(tieFirst.createdAt).toEqual(tieLast.createdAt);
      expect((await newestPage(postId, 100, { value: tieMiddle.createdAt, id: tieMiddle.id }))?.items).toEqual([tieFirst, written[0]]);
      expect(await newestPage(postId, 100, { value: written[0].createdAt, id: written[0].id })).toEqual({ items: [], hasMore: false });
    });

    it('when the post is unknown or malformed, then newest first there is no list either; a cursor id no comment could have ends it', async () => {
      const gone = await newPost();
      await context.store.posts.delete(gone.id);
      for (const postId of [gone.id, ...malformedIds(context.name)]) expect(await newestPage(postId)).toBeNull();
      const post = await newPost();
      await comments().create({ postId: post.id, authorId: post.authorId, content: 'One' });
      for (const id of malformedIds(context.name)) {
        expect(await newestPage(post.id, 10, { value: new Date('9000-01-01T00:00:00.000Z'), id })).toEqual({ items: [], hasMore: false });
      }
    });
  });

  describe('delete', () => {
    it("when the comment's author or the post's author deletes it, then it is gone; anyone else is refused and it stays", async () => {
      const [postAuthor, commenter, stranger] = [await newUser(), await newUser(), await newUser()];
      const post = await newPost(postAuthor);
      const first = await comments().create({ postId: post.id, authorId: commenter.id, content: 'First' });
      const second = await comments().create({ postId: post.id, authorId: commenter.id, content: 'Second' });

      await expect(comments().delete(post.id, first.id, stranger.id)).rejects.toEqual(new NotAuthorError('comment', first.id));
      expect(await comments().findById(post.id, first.id)).not.toBeNull();

      await comments().delete(post.id, first.id, commenter.id);
      await comments().delete(post.id, second.id, postAuthor.id);
      expect(await page(post.id)).toEqual({ items: [], hasMore: false });
      await expect(comments().delete(post.id, first.id, commenter.id)).rejects.toEqual(new NotFoundError('comment', first.id));
    });

    it('when the post is unknown, or the comment unknown, malformed or of another post, then delete is not found and nothing goes', async () => {
      const post = await newPost();
      const other = await newPost();
      const elsewhere = await comments().create({ postId: other.id, authorId: other.authorId, content: 'Elsewhere' });
      await expect(comments().delete(post.id, elsewhere.id, other.authorId)).rejects.toEqual(new NotFoundError('comment', elsewhere.id));
      const gone = await newPost();
      await context.store.posts.delete(gone.id);
      await expect(comments().delete(gone.id, elsewhere.id, other.authorId)).rejects.toEqual(new NotFoundError('post', gone.id));
      for (const id of malformedIds(context.name)) {
        await expect(comments().delete(post.id, id, post.authorId)).rejects.toBeInstanceOf(NotFoundError);
        await expect(comments().delete(id, elsewhere.id, other.authorId)).rejects.toEqual(new NotFoundError('post', id));
      }
      expect(await comments().findById(other.id, elsewhere.id)).not.toBeNull();
    });
  });

  describe('cascades', () => {
    it('when a post is deleted, then its comments go with it and other posts keep theirs', async () => {
      const author = await newUser();
      const post = await newPost(author);
      const other = await newPost(author);
      const doomed = await comments().create({ postId: post.id, authorId: author.id, content: 'Doomed' });
      const kept = await comments().create({ postId: other.id, authorId: author.id, content: 'Kept' });
      await context.store.posts.delete(post.id);

      expect(await comments().findById(post.id, doomed.id)).toBeNull();
      expect(await storedComments()).toEqual([kept.id]);
    });

    it("when a user is deleted, then their comments everywhere and every comment on their posts go; others' stay", async () => {
      const [leaving, staying] = [await newUser(), await newUser()];
      const theirPost = await newPost(leaving);
      const otherPost = await newPost(staying);
      await comments().create({ postId: theirPost.id, authorId: staying.id, content: 'On their post' });
      await comments().create({ postId: theirPost.id, authorId: leaving.id, content: 'Their own' });
      await comments().create({ postId: otherPost.id, authorId: leaving.id, content: 'Theirs elsewhere' });
      const kept = await comments().create({ postId: otherPost.id, authorId: staying.id, content: 'Stays' });

      await context.store.users.delete(leaving.id);

      expect(await storedComments()).toEqual([kept.id]);
      expect((await page(otherPost.id))?.items).toEqual([{ ...kept, author: staying }]);
    });
  });

  describe('races', () => {
    it('when comments are written while their post is deleted, then none stays, and each create either succeeded before or is not found', async () => {
      const [postAuthor, commenter] = [await newUser(), await newUser()];
      for (let round = 0; round < 3; round += 1) {
        const post = await newPost(postAuthor);
        const creates = Array.from({ length: 10 }, (_, i) => comments().create({ postId: post.id, authorId: commenter.id, content: `Race ${i}` }));
        const deleted = context.store.posts.delete(post.id);
        const outcomes = await Promise.allSettled([...creates, deleted]);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toEqual(new NotFoundError('post', post.id));
        }
        expect(await storedComments()).toEqual([]);
      }
    });
  });

  /** The ids of every comment the store holds, read from the store itself, not through the port. */
  async function storedComments(): Promise<string[]> {
    const { store } = context;
    if ('dataSource' in store) {
      const rows = (await (store as { dataSource: { query(sql: string): Promise<{ id: number | string }[]> } }).dataSource.query('SELECT id FROM comments ORDER BY id')) as { id: number | string }[];
      return rows.map(({ id }) => String(id));
    }
    const { db } = store as unknown as { db: import('mongodb').Db };
    return (await db.collection('comments').find({}).sort({ _id: 1 }).toArray()).map(({ _id }) => String(_id));
  }
});
