import { api } from '../support/api';
import { describeEachStore } from '../support/each-store';

describeEachStore('tags and search HTTP API', (context) => {
  const http = api(context);
  let token: string;

  const expectRefused = async (response: { status: number; body: { errors?: unknown } }, field: string) => {
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
  };
  const postCount = async () => (await http.get('/posts?count=true&limit=1')).body.total as number;

  beforeEach(async () => {
    ({ token } = await http.signUp());
  });

  it('when a post is created with tags, then they are trimmed, lower-cased, deduplicated and sorted', async () => {
    const created = await http.post('/posts', { title: 't', content: 'c', tags: [' Ruby ', 'RUBY', 'go', 'Émile', 'İ'] }, token);
    expect(created.status).toBe(201);
    expect(created.body.tags).toEqual(['go', 'i̇', 'ruby', 'émile']);
    expect((await http.get(`/posts/${created.body.id}`)).body.tags).toEqual(created.body.tags);
  });

  it('when tags are patched, then the set is replaced, the version and ETag move, and If-Match guards it', async () => {
    const created = await http.post('/posts', { title: 't', content: 'c', tags: ['a', 'b'] }, token);
    const stale = created.headers.etag;
    const patched = await http.patch(`/posts/${created.body.id}`, { tags: ['C'] }, token);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ tags: ['c'], version: 2 });
    expect(patched.headers.etag).not.toBe(stale);
    const refused = await http.raw().patch(`/posts/${created.body.id}`).set('Authorization', `Bearer ${token}`).set('If-Match', stale).send({ tags: [] });
    expect(refused.status).toBe(412);
    expect((await http.get(`/posts/${created.body.id}`)).body.tags).toEqual(['c']);
    expect((await http.patch(`/posts/${created.body.id}`, { tags: [] }, token)).body.tags).toEqual([]);
  });

  it.each([
    ['a tag of 33 characters', ['a'.repeat(33)], 'tags'],
    ['a tag of spaces only', ['   '], 'tags'],
    ['an empty tag', [''], 'tags'],
    ['eleven distinct tags', Array.from({ length: 11 }, (_, i) => `t${i}`), 'tags'],
    ['a number', [1], 'tags'],
    ['null', [null], 'tags'],
    ['a nested list', [['a']], 'tags'],
    ['an object', [{ name: 'a' }], 'tags'],
    ['a control character', ['a\u0007b'], 'tags'],
    ['a string, not a list', 'a', 'tags'],
    ['null for the list', null, 'tags'],
  ])('when tags hold %s, then 400 names tags and nothing is stored', async (_case, tags, field) => {
    await expectRefused(await http.post('/posts', { title: 't', content: 'c', tags }, token), field);
    expect(await postCount()).toBe(0);
  });

  it('when ten distinct tags come with repeats in other cases, one 32 characters once trimmed, then all ten are kept', async () => {
    const tags = [` ${'ß'.repeat(32)} `, ...Array.from({ length: 9 }, (_, i) => `T${i}`), ...Array.from({ length: 9 }, (_, i) => `t${i}`)];
    const created = await http.post('/posts', { title: 't', content: 'c', tags }, token);
    expect(created.status).toBe(201);
    expect(created.body.tags).toEqual([...Array.from({ length: 9 }, (_, i) => `t${i}`), 'ß'.repeat(32)]);
  });

  it('when a tag that would change an existing post is invalid, then the post keeps its tags', async () => {
    const created = await http.post('/posts', { title: 't', content: 'c', tags: ['kept'] }, token);
    await expectRefused(await http.patch(`/posts/${created.body.id}`, { tags: ['x'.repeat(40)] }, token), 'tags');
    expect((await http.get(`/posts/${created.body.id}`)).body).toEqual(created.body);
  });

  describe('with posts', () => {
    let ids: Record<string, string>;

    beforeEach(async () => {
      ids = {};
      for (const [title, tags] of [
        ['Ruby 100%', ['ruby', 'web']],
        ['Go_lang', ['go', 'web']],
        ['Straße', ['travel']],
        ['plain', []],
      ] as const) {
        ids[title] = (await http.post('/posts', { title, content: 'text', tags }, token)).body.id;
      }
    });
    const titles = async (query: string) => {
      const response = await http.get(`/posts?${query}&sort=title&limit=100`);
      expect(response.status).toBe(200);
      return response.body.items.map((post: { title: string }) => post.title);
    };

    it('when posts are filtered by tag, repeated, then each has every tag; tags are matched as normalized', async () => {
      expect(await titles('tag=web')).toEqual(['Go_lang', 'Ruby 100%']);
      expect(await titles('tag=web&tag=RUBY')).toEqual(['Ruby 100%']);
      expect(await titles('tag=%20Web%20&tag=web')).toEqual(['Go_lang', 'Ruby 100%']);
      expect(await titles('tag=web&tag=travel')).toEqual([]);
      expect((await http.get('/posts?tag=web&count=true')).body.total).toBe(2);
    });

    it('when posts are searched, then pattern characters match themselves and case folds the same way on every store', async () => {
      expect(await titles('q=%25')).toEqual(['Ruby 100%']);
      expect(await titles('q=_')).toEqual(['Go_lang']);
      expect(await titles('q=STRASSE')).toEqual(['Straße']);
      expect(await titles('q=TEXT&tag=web')).toEqual(['Go_lang', 'Ruby 100%']);
    });

    it('when GET /tags is read, then tags come most used first, then by name, a page at a time', async () => {
      const whole = await http.get('/tags?limit=100');
      expect(whole.status).toBe(200);
      expect(whole.body).toEqual({
        items: [
          { name: 'web', postCount: 2 },
          { name: 'go', postCount: 1 },
          { name: 'ruby', postCount: 1 },
          { name: 'travel', postCount: 1 },
        ],
        limit: 100,
        nextCursor: null,
      });
      const first = await http.get('/tags?limit=2');
      const second = await http.get(`/tags?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect([...first.body.items, ...second.body.items]).toEqual(whole.body.items);
      expect(second.body.nextCursor).toBeNull();
    });

    it.each([
      ['tag=' + 'a'.repeat(33), 'tag'],
      ['tag=', 'tag'],
      [Array.from({ length: 11 }, (_, i) => `tag=t${i}`).join('&'), 'tag'],
      ['q=', 'q'],
      ['q=' + 'a'.repeat(101), 'q'],
      ['q=a&q=b', 'q'],
      ['q=%20%20', 'q'],
    ])('when the post list query has %s, then 400 names %s', async (query, field) => {
      await expectRefused(await http.get(`/posts?${query}`), field);
    });

    it('when a cursor was made for another tag or search, then 400 names it', async () => {
      const cursor = encodeURIComponent((await http.get('/posts?tag=web&limit=1')).body.nextCursor);
      await expectRefused(await http.get(`/posts?tag=go&limit=1&cursor=${cursor}`), 'cursor');
      await expectRefused(await http.get(`/posts?tag=web&q=r&limit=1&cursor=${cursor}`), 'cursor');
      await expectRefused(await http.get(`/posts?limit=1&cursor=${cursor}`), 'cursor');
      await expectRefused(await http.get(`/tags?limit=1&cursor=${cursor}`), 'cursor');
      expect((await http.get(`/posts?tag=WEB&limit=1&cursor=${cursor}`)).status).toBe(200);
    });

    it('when GET /tags asks for count, then total is the number of tags in use; skip passes over that many', async () => {
      const whole = (await http.get('/tags?limit=100')).body.items;
      const counted = await http.get('/tags?limit=1&count=true');
      expect(counted.body).toMatchObject({ items: whole.slice(0, 1), total: 4 });
      expect((await http.get('/tags?count=false')).body).not.toHaveProperty('total');
      const skipped = await http.get('/tags?limit=2&skip=1&count=true');
      expect(skipped.body).toEqual({ items: whole.slice(1, 3), limit: 2, nextCursor: expect.any(String), total: 4 });
      // The cursor of a skipped page continues it like any other.
      const rest = await http.get(`/tags?limit=2&cursor=${encodeURIComponent(skipped.body.nextCursor)}`);
      expect(rest.body).toMatchObject({ items: whole.slice(3), nextCursor: null });
      expect((await http.get('/tags?skip=10000')).body).toMatchObject({ items: [], nextCursor: null });
      await http.delete(`/posts/${ids['Straße']}`, token);
      expect((await http.get('/tags?count=true')).body.total).toBe(3);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=x', 'limit'],
      ['cursor=abc', 'cursor'],
      ['skip=10001', 'skip'],
      ['skip=-1', 'skip'],
      ['skip=1&skip=2', 'skip'],
      ['count=yes', 'count'],
      ['sort=name', 'sort'],
    ])('when GET /tags has %s, then 400 names %s', async (query, field) => {
      await expectRefused(await http.get(`/tags?${query}`), field);
    });

    it('when GET /tags has both skip and a cursor, then 400 names skip', async () => {
      const cursor = encodeURIComponent((await http.get('/tags?limit=1')).body.nextCursor);
      await expectRefused(await http.get(`/tags?skip=1&cursor=${cursor}`), 'skip');
    });

    it('when /tags is written to, then 405 names the allowed method', async () => {
      const response = await http.post('/tags', { name: 'x' }, token);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET');
    });
  });
});
