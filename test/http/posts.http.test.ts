import { api, isoMillis } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { emoji, malformedIds } from '../support/factories';

describeEachStore('posts HTTP API', (context) => {
  const http = api(context);
  let author: { id: string };
  let token: string;
  const createPost = async (overrides = {}) => (await http.post('/posts', { title: 'A title', content: 'Some content', ...overrides }, token)).body;
  const countPosts = async () => (await http.get('/posts?count=true')).body.total;

  beforeEach(async () => {
    ({ user: author, token } = await http.signUp());
  });

  describe('POST /posts', () => {
    it('when the body is valid, then 201 with the post by the caller, published now, and a Location that reads it back', async () => {
      const response = await http.post('/posts', { title: 'Hello', content: 'World' }, token);

      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        authorId: author.id,
        title: 'Hello',
        description: '',
        content: 'World',
        publicationDate: response.body.createdAt,
        createdAt: expect.stringMatching(isoMillis),
        updatedAt: response.body.createdAt,
        tags: [],
        version: 1,
        favoritesCount: 0,
      });
      expect(response.headers.location).toBe(`/posts/${response.body.id}`);
      expect((await http.get(response.headers.location)).body).toEqual(response.body);
    });

    it('when a publication date has an offset and sub-millisecond digits, then it is stored in UTC to the millisecond', async () => {
      const post = await createPost({ publicationDate: '2024-03-01T01:30:00.123456+02:00' });
      expect(post.publicationDate).toBe('2024-02-29T23:30:00.123Z');
      expect((await http.get(`/posts/${post.id}`)).body.publicationDate).toBe('2024-02-29T23:30:00.123Z');
    });

    it.each([
      ['lower-case t and z', '2024-06-01t12:00:00z', '2024-06-01T12:00:00.000Z'],
      ['one fraction digit', '2024-06-01T12:00:00.5Z', '2024-06-01T12:00:00.500Z'],
      ['nine fraction digits, truncated and not rounded', '2024-06-01T12:00:00.999999999Z', '2024-06-01T12:00:00.999Z'],
      ['the earliest instant', '1000-01-01T00:00:00Z', '1000-01-01T00:00:00.000Z'],
      ['the latest instant, with digits past it', '9999-12-31T23:59:59.9999Z', '9999-12-31T23:59:59.999Z'],
      ['a year 999 local time that is 1000 in UTC', '0999-12-31T23:30:00-01:00', '1000-01-01T00:30:00.000Z'],
      ['the largest offset', '2024-02-29T23:59:59+23:59', '2024-02-29T00:00:59.000Z'],
      ['an offset of -00:00', '2024-06-01T12:00:00-00:00', '2024-06-01T12:00:00.000Z'],
    ])('when the publication date has %s, then it is accepted as that instant', async (_case, publicationDate, stored) => {
      const post = await createPost({ publicationDate });
      expect((await http.get(`/posts/${post.id}`)).body.publicationDate).toBe(stored);
    });

    it('when a description is given, at its longest in code points, then it is served on every read; PATCH changes or empties it alone', async () => {
      const post = await createPost({ description: emoji(1_000) });
      expect(post.description).toBe(emoji(1_000));
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(post);
      const changed = await http.patch(`/posts/${post.id}`, { description: 'In one line' }, token);
      expect(changed.body).toMatchObject({ title: post.title, content: post.content, description: 'In one line', version: 2 });
      expect((await http.patch(`/posts/${post.id}`, { description: '' }, token)).body.description).toBe('');
      expect((await http.get('/posts')).body.items).toEqual([(await http.get(`/posts/${post.id}`)).body]);
    });

    it('when title and content are at their longest in code points, then they are accepted', async () => {
      const post = await createPost({ title: emoji(255), content: emoji(100_000) });
      expect((await http.get(`/posts/${post.id}`)).body).toMatchObject({ title: emoji(255), content: emoji(100_000) });
    });

    it.each([
      ['no title', { title: undefined }, 'title'],
      ['an empty title', { title: '' }, 'title'],
      ['a title of 256 code points', { title: emoji(256) }, 'title'],
      ['content of 100,001 characters', { content: 'x'.repeat(100_001) }, 'content'],
      ['a U+0000 in the title', { title: 'a\u0000b' }, 'title'],
      ['a U+0000 in the content', { content: '\u0000' }, 'content'],
      ['a description of 1,001 code points', { description: emoji(1_001) }, 'description'],
      ['a null description', { description: null }, 'description'],
      ['a description with a lone surrogate', { description: 'a\ud800b' }, 'description'],
      ['an authorId, even the caller\'s', { authorId: 'self' }, 'authorId'],
      ['an operator object as title', { title: { $gt: '' } }, 'title'],
      ['a date without a zone', { publicationDate: '2024-01-01T00:00:00' }, 'publicationDate'],
      ['a date only', { publicationDate: '2024-01-01' }, 'publicationDate'],
      ['an impossible date', { publicationDate: '2023-02-29T00:00:00Z' }, 'publicationDate'],
      ['a date before year 1000', { publicationDate: '0999-12-31T23:59:59.999Z' }, 'publicationDate'],
      ['a date after year 9999', { publicationDate: '+010000-01-01T00:00:00.000Z' }, 'publicationDate'],
      ['a date without seconds', { publicationDate: '2024-01-01T00:00Z' }, 'publicationDate'],
      ['a leap second', { publicationDate: '2016-12-31T23:59:60Z' }, 'publicationDate'],
      ['an hour 24', { publicationDate: '2024-01-01T24:00:00Z' }, 'publicationDate'],
      ['a month 13', { publicationDate: '2024-13-01T00:00:00Z' }, 'publicationDate'],
      ['a day 0', { publicationDate: '2024-01-00T00:00:00Z' }, 'publicationDate'],
      ['an offset hour 24', { publicationDate: '2024-01-01T00:00:00+24:00' }, 'publicationDate'],
      ['an offset minute 60', { publicationDate: '2024-01-01T00:00:00+01:60' }, 'publicationDate'],
      ['an offset without a colon', { publicationDate: '2024-01-01T00:00:00+0100' }, 'publicationDate'],
      ['an offset of hours only', { publicationDate: '2024-01-01T00:00:00+01' }, 'publicationDate'],
      ['a space for the T', { publicationDate: '2024-01-01 00:00:00Z' }, 'publicationDate'],
      ['a fraction point without digits', { publicationDate: '2024-01-01T00:00:00.Z' }, 'publicationDate'],
      ['a fraction of ten digits', { publicationDate: '2024-01-01T00:00:00.1234567890Z' }, 'publicationDate'],
      ['a comma for the fraction point', { publicationDate: '2024-01-01T00:00:00,5Z' }, 'publicationDate'],
      ['the year 0050, not 1950', { publicationDate: '0050-01-01T00:00:00Z' }, 'publicationDate'],
      ['a year 9999 local time that is 10000 in UTC', { publicationDate: '9999-12-31T23:59:59.999-00:01' }, 'publicationDate'],
      ['a basic-format date', { publicationDate: '20240101T000000Z' }, 'publicationDate'],
      ['a numeric date', { publicationDate: 1700000000000 }, 'publicationDate'],
      ['an unknown field', { labels: ['a'] }, 'labels'],
    ])('when the body has %s, then 400 names the field and nothing is stored', async (_case, overrides, field) => {
      const body: Record<string, unknown> = { title: 't', content: 'c', ...overrides };
      if ('authorId' in body) body.authorId = author.id;
      const response = await http.post('/posts', body, token);

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
      expect(await countPosts()).toBe(0);
    });
  });

  describe('GET /posts', () => {
    it('when posts exist, then the newest publication date comes first, ties newest post first, with paging', async () => {
      const old = await createPost({ publicationDate: '2020-01-01T00:00:00.000Z' });
      const tieA = await createPost({ publicationDate: '2022-01-01T00:00:00.000Z' });
      const tieB = await createPost({ publicationDate: '2022-01-01T00:00:00.000Z' });
      const newest = await createPost({ publicationDate: '2022-01-01T00:00:00.001Z' });

      expect((await http.get('/posts')).body).toEqual({ items: [newest, tieB, tieA, old], limit: 20, nextCursor: null });
      expect((await http.get('/posts?count=true')).body).toEqual({ items: [newest, tieB, tieA, old], limit: 20, nextCursor: null, total: 4 });
      expect((await http.get('/posts?skip=1&limit=2')).body).toEqual({ items: [tieB, tieA], limit: 2, nextCursor: expect.any(String) });
    });

    it.each(['limit=0', 'limit=101', 'skip=x', 'skip=-5', 'skip=10001', 'sort=up', 'sort=-id', 'count=yes'])('when the query is %s, then 400', async (query) => {
      expect((await http.get(`/posts?${query}`)).status).toBe(400);
    });
  });

  describe('GET /posts/:id', () => {
    it('when the post is unknown or the id malformed, then 404', async () => {
      const gone = await createPost();
      await http.delete(`/posts/${gone.id}`, token);
      for (const id of [gone.id, ...malformedIds(context.name).filter((id) => id !== '')]) {
        expect((await http.get(`/posts/${encodeURIComponent(id)}`)).status).toBe(404);
      }
    });
  });

  describe('PATCH /posts/:id', () => {
    it('when the author sends some fields, then only they change', async () => {
      const post = await createPost();
      const response = await http.patch(`/posts/${post.id}`, { content: 'Edited', publicationDate: '2025-05-05T05:05:05.555Z' }, token);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        ...post,
        content: 'Edited',
        publicationDate: '2025-05-05T05:05:05.555Z',
        updatedAt: expect.stringMatching(isoMillis),
        version: 2,
      });
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(response.body);
    });

    it.each([
      ['an empty title', { title: '' }, 'title'],
      ['a null content', { content: null }, 'content'],
      ['nothing to change', {}, undefined],
    ])('when the body has %s, then 400 and the post is unchanged', async (_case, body, field) => {
      const post = await createPost();
      const response = await http.patch(`/posts/${post.id}`, body, token);

      expect(response.status).toBe(400);
      if (field) expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(post);
    });

    it('when the post is unknown or the id malformed, then 404', async () => {
      expect((await http.patch('/posts/abc', { title: 'x' }, token)).status).toBe(404);
      const gone = await createPost();
      await http.delete(`/posts/${gone.id}`, token);
      expect((await http.patch(`/posts/${gone.id}`, { title: 'x' }, token)).status).toBe(404);
    });
  });

  describe('DELETE /posts/:id', () => {
    it('when the author deletes a post, then 204 and only it is gone; again, then 404', async () => {
      const deleted = await createPost();
      const kept = await createPost();

      expect((await http.delete(`/posts/${deleted.id}`, token)).status).toBe(204);
      expect((await http.get('/posts')).body.items).toEqual([kept]);
      expect((await http.delete(`/posts/${deleted.id}`, token)).status).toBe(404);
      expect((await http.delete('/posts/abc', token)).status).toBe(404);
    });
  });
});
