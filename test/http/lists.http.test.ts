import { type PostSort, type PostSortField, compareCodePoints } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import { aPost } from '../support/factories';
import { api } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { creationRank, modelOrder } from '../support/post-model';

const sorts = ['-publicationDate', 'publicationDate', '-createdAt', 'createdAt', 'title', '-title'] as const;

function parseSort(name: string): PostSort {
  return { field: name.replace(/^-/, '') as PostSortField, direction: name.startsWith('-') ? 'desc' : 'asc' };
}

/** A post as the API answers it, with its instants as the model compares them. */
function asPost(body: { id: string; title: string; publicationDate: string; createdAt: string }): Post {
  return { ...body, publicationDate: new Date(body.publicationDate), createdAt: new Date(body.createdAt) } as unknown as Post;
}

describeEachStore('lists HTTP API: cursors, sorts and filters', (context) => {
  const http = api(context);
  let token: string;
  let authorId: string;
  let posts: { id: string; title: string; publicationDate: string; createdAt: string; authorId: string }[];
  /** The posts in the order the listing rules give, computed in memory (test/support/post-model.ts), never by a store. */
  const modelIds = (sort: string, of = posts) => modelOrder(of.map(asPost), parseSort(sort), creationRank(posts.map(asPost))).map((post) => post.id);

  /** Every page of a list, by following nextCursor; checks each page's shape on the way. */
  const walk = async (path: string, limit: number) => {
    const items: { id: string }[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const separator = path.includes('?') ? '&' : '?';
      const response = await http.get(`${path}${separator}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(response.status).toBe(200);
      expect(response.body.limit).toBe(limit);
      expect(response.body).not.toHaveProperty('total');
      items.push(...response.body.items);
      cursor = response.body.nextCursor;
      if (cursor === null) return items;
      expect(response.body.items).toHaveLength(limit);
    }
    throw new Error('the walk did not end');
  };
  const ids = (items: { id: string }[]) => items.map((item) => item.id);

  beforeEach(async () => {
    ({ token, user: { id: authorId } } = await http.signUp());
    const other = await http.signUp();
    posts = [];
    const titles = ['Zebra', 'apple', 'Émile', 'émile', '😀', '\uFFFD', 'a', 'a '];
    for (const [i, title] of titles.entries()) {
      const publicationDate = ['2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z'][i % 2];
      const response = await http.post('/posts', { title, content: 'c', publicationDate }, i % 3 === 2 ? other.token : token);
      expect(response.status).toBe(201);
      posts.push(response.body);
    }
  });

  it('when posts are walked by cursor in every order, then each page continues the last and together they are the whole list in the order the model gives', async () => {
    for (const sort of sorts) {
      const expected = modelIds(sort);
      const whole = (await http.get(`/posts?sort=${sort}&limit=100`)).body.items;
      expect(whole).toEqual(expected.map((id) => posts.find((post) => post.id === id)));
      for (const limit of [1, 3]) expect({ sort, limit, ids: ids(await walk(`/posts?sort=${sort}`, limit)) }).toEqual({ sort, limit, ids: expected });
    }
  });

  it('when posts are sorted by title, then the order is by code point, the same on every store', async () => {
    const titles = (await http.get('/posts?sort=title')).body.items.map((post: { title: string }) => post.title);
    expect(titles).toEqual(posts.map((post) => post.title).sort(compareCodePoints));
    expect(titles).toEqual(['Zebra', 'a', 'a ', 'apple', 'Émile', 'émile', '\uFFFD', '😀']);
  });

  it('when the list is filtered, then only matching posts come, the filter holds on every page, and count=true counts them', async () => {
    const mine = posts.filter((post) => post.authorId === authorId);
    expect(ids(await walk(`/posts?authorId=${authorId}&sort=createdAt`, 2))).toEqual(ids(mine));
    const later = posts.filter((post) => post.publicationDate > '2020-01-01T00:00:00.000Z');
    // An offset, and a bound that is strict: posts published exactly then are not after it.
    expect(ids(await walk('/posts?publishedAfter=2020-01-01T05:45:00%2B05:45&sort=createdAt', 1))).toEqual(ids(later));
    expect((await http.get('/posts?publishedBefore=2021-01-01T00:00:00Z&count=true')).body.total).toBe(posts.length - later.length);
    expect((await http.get(`/posts?authorId=${authorId}&count=true`)).body.total).toBe(mine.length);
    expect((await http.get(`/users/${authorId}/posts?publishedAfter=2020-06-01T00:00:00Z&count=true`)).body.total).toBe(
      mine.filter((post) => post.publicationDate > '2020-06-01').length,
    );
  });

  it("when an author's posts are walked by cursor, then they come in the order asked, as the model gives it", async () => {
    const mine = posts.filter((post) => post.authorId === authorId);
    for (const sort of sorts) {
      expect({ sort, ids: ids(await walk(`/users/${authorId}/posts?sort=${sort}`, 2)) }).toEqual({ sort, ids: modelIds(sort, mine) });
    }
  });

  it('when skip is used, then it gives the same page as the cursor, up to 10,000', async () => {
    const byCursor = await walk('/posts?sort=title', 3);
    expect(ids((await http.get('/posts?sort=title&skip=3&limit=3')).body.items)).toEqual(ids(byCursor.slice(3, 6)));
    expect((await http.get('/posts?skip=10000')).body.items).toEqual([]);
  });

  it('when only the oldest of 250 posts contains the text, then a search answers two empty pages with a nextCursor, then that post (the example in docs/api.md)', async () => {
    const fillers = Array.from({ length: 250 - posts.length - 1 }, (_, i) => aPost(authorId, { title: `filler ${i}`, content: 'hay', publicationDate: new Date('2022-01-01T00:00:00Z') }));
    await context.store.posts.createMany(fillers);
    const needle = await http.post('/posts', { title: 'The NEEDLE', content: 'c', publicationDate: '2000-01-01T00:00:00Z' }, token);
    const pages: { items: { id: string }[]; limit: number; nextCursor: string | null }[] = [];
    for (let cursor: string | null = ''; cursor !== null && pages.length < 10; cursor = pages.at(-1)!.nextCursor) {
      const response = await http.get(`/posts?q=needle${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(response.status).toBe(200);
      pages.push(response.body);
    }
    expect(pages).toEqual([
      { items: [], limit: 20, nextCursor: expect.any(String) },
      { items: [], limit: 20, nextCursor: expect.any(String) },
      { items: [needle.body], limit: 20, nextCursor: null },
    ]);
    // The cursor of a search belongs to its list like any other.
    expect((await http.get(`/posts?q=other&cursor=${encodeURIComponent(pages[0].nextCursor!)}`)).status).toBe(400);
  });

  describe('bad cursors and parameters', () => {
    const firstCursor = async (path: string) => (await http.get(path)).body.nextCursor as string;
    const expectRefused = async (path: string, field: string) => {
      const response = await http.get(path);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
    };

    it('when a cursor is altered, cut short or not a cursor at all, then 400 names it', async () => {
      const cursor = await firstCursor('/posts?limit=2');
      const [payload, sum] = cursor.split('.');
      const altered = `${payload.slice(0, -2)}${payload.at(-2) === 'A' ? 'B' : 'A'}${payload.at(-1)}.${sum}`;
      for (const bad of [altered, cursor.slice(0, -1), payload, `${cursor}.x`, 'abc', '', `${payload}.${sum.toUpperCase()}`]) {
        await expectRefused(`/posts?limit=2&cursor=${encodeURIComponent(bad)}`, 'cursor');
      }
    });

    it('when a cursor was made for another sort, filter or route, then 400 names it and no page is served', async () => {
      const cursor = encodeURIComponent(await firstCursor('/posts?limit=2&sort=title'));
      await expectRefused(`/posts?limit=2&sort=-title&cursor=${cursor}`, 'cursor');
      await expectRefused(`/posts?limit=2&sort=title&authorId=${authorId}&cursor=${cursor}`, 'cursor');
      await expectRefused(`/posts?limit=2&sort=title&publishedAfter=2000-01-01T00:00:00Z&cursor=${cursor}`, 'cursor');
      await expectRefused(`/users/${authorId}/posts?limit=2&sort=title&cursor=${cursor}`, 'cursor');
      await expectRefused(`/users?limit=2&cursor=${cursor}`, 'cursor');
      const userCursor = encodeURIComponent(await firstCursor('/users?limit=1'));
      await expectRefused(`/posts?limit=1&cursor=${userCursor}`, 'cursor');
      // The limit may change from page to page.
      expect((await http.get(`/posts?limit=5&sort=title&cursor=${cursor}`)).status).toBe(200);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['sort=up', 'sort'],
      ['sort=title&sort=-title', 'sort'],
      ['publishedAfter=yesterday', 'publishedAfter'],
      ['publishedBefore=2024-01-01', 'publishedBefore'],
      ['count=yes', 'count'],
      ['skip=10001', 'skip'],
      ['skip=1&cursor=abc', 'skip'],
      ['authorId=a&authorId=b', 'authorId'],
      ['tag[$ne]=x', 'tag[$ne]'],
      ['q=x&count=true', 'count'],
      ['q=x&skip=0', 'skip'],
    ])('when the query has %s, then 400 names %s', async (query, field) => {
      await expectRefused(`/posts?${query}`, field);
    });

    it("when an author's search asks for a count or an offset, then 400 names it", async () => {
      await expectRefused(`/users/${authorId}/posts?q=a&count=true`, 'count');
      await expectRefused(`/users/${authorId}/posts?q=a&skip=5`, 'skip');
      // Without a search both are served.
      expect((await http.get(`/users/${authorId}/posts?count=true&skip=1`)).status).toBe(200);
    });

    it("when an author's list is also given an authorId, then 400: the author is the path's", async () => {
      await expectRefused(`/users/${authorId}/posts?authorId=${authorId}`, 'authorId');
    });
  });
});
