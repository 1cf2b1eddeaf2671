import type { RateLimit } from '../../src/http/rate-limits';
import { type SignedUp, api, checked } from '../support/api';
import { describeEachStore } from '../support/each-store';

describeEachStore('feed HTTP API', (context) => {
  const http = api(context);
  const ids = (body: { items: { id: string }[] }) => body.items.map(({ id }) => id);
  const follow = (userId: string, token: string) => http.put(`/users/me/following/${userId}`, token);
  const feed = (token?: string, query = '') => http.get(`/feed${query}`, token);

  let reader: SignedUp;
  let ada: SignedUp;
  let bob: SignedUp;
  /** The posts of ada and bob, newest publicationDate first, as the reader's feed holds them; cy's are not followed. */
  let followedPosts: string[];

  const write = async (author: SignedUp, title: string, publicationDate: string, tags: string[] = []) => {
    const response = await http.post('/posts', { title, content: `${title} content`, publicationDate, tags }, author.token);
    expect(response.status).toBe(201);
    return response.body.id as string;
  };

  beforeEach(async () => {
    [reader, ada, bob] = [await http.signUp(), await http.signUp(), await http.signUp()];
    const cy = await http.signUp();
    const a1 = await write(ada, 'Ada one', '2024-01-01T00:00:00Z', ['engines']);
    const b1 = await write(bob, 'Bob one', '2024-02-01T00:00:00Z');
    await write(cy, 'Cy one', '2024-03-01T00:00:00Z', ['engines']);
    const a2 = await write(ada, 'Ada two', '2024-04-01T00:00:00Z');
    const b2 = await write(bob, 'Bob two', '2024-05-01T00:00:00Z', ['engines']);
    followedPosts = [b2, a2, b1, a1];
    expect((await follow(ada.user.id, reader.token)).status).toBe(204);
    expect((await follow(bob.user.id, reader.token)).status).toBe(204);
  });

  it('when a reader follows two authors, then GET /feed answers their posts only, newest publication first, varying by Authorization', async () => {
    const response = await feed(reader.token);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ limit: 20, nextCursor: null });
    expect(ids(response.body)).toEqual(followedPosts);
    expect(response.body.items[0]).toMatchObject({ authorId: bob.user.id, title: 'Bob two' });
    expect(response.headers.vary).toMatch(/\bAuthorization\b/);
  });

  it('when the feed is read page by page, sorted and filtered, then cursors walk it without repeat or gap, and count totals it', async () => {
    const walked: string[] = [];
    let query = '?limit=1&sort=publicationDate';
    for (;;) {
      const { status, body } = await feed(reader.token, query);
      expect(status).toBe(200);
      walked.push(...ids(body));
      if (body.nextCursor === null) break;
      query = `?limit=1&sort=publicationDate&cursor=${body.nextCursor}`;
    }
    expect(walked).toEqual([...followedPosts].reverse());

    const tagged = await feed(reader.token, '?tag=engines&count=true');
    expect(ids(tagged.body)).toEqual([followedPosts[0], followedPosts[3]]);
    expect(tagged.body.total).toBe(2);
    expect(ids((await feed(reader.token, `?authorId=${ada.user.id}&publishedAfter=2024-02-01T00:00:00Z`)).body)).toEqual([followedPosts[1]]);
    expect(ids((await feed(reader.token, '?q=BOB&sort=title')).body)).toEqual([followedPosts[2], followedPosts[0]]);
  });

  it('when the reader unfollows an author, then their posts leave the feed; following nobody, the feed is an empty last page', async () => {
    expect((await http.delete(`/users/me/following/${ada.user.id}`, reader.token)).status).toBe(204);
    expect(ids((await feed(reader.token)).body)).toEqual([followedPosts[0], followedPosts[2]]);
    expect((await feed(ada.token)).body).toEqual({ items: [], limit: 20, nextCursor: null });
  });

  it('when no token, or a bad one, is sent, then 401 problem with a Bearer challenge, varying by Authorization', async () => {
    for (const response of [await feed(), await feed('not-a-token')]) {
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="dualstore"/);
      expect(response.headers.vary).toMatch(/\bAuthorization\b/);
    }
  });

  it('when the sort, a filter, the paging or a parameter is bad, then 400 problem naming it', async () => {
    const cases: [string, string][] = [
      ['?sort=author', 'sort'],
      ['?limit=0', 'limit'],
      ['?publishedAfter=yesterday', 'publishedAfter'],
      [`?tag=${'x'.repeat(33)}`, 'tag'],
      ['?q=x&count=true', 'count'],
      ['?cursor=garbage', 'cursor'],
      ['?followedBy=me', 'followedBy'],
    ];
    for (const [query, field] of cases) {
      const response = await feed(reader.token, query);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
  });

  it("when a cursor comes from GET /posts, from another reader's feed or from another sort, then 400 naming cursor", async () => {
    const other = await http.signUp();
    expect((await follow(ada.user.id, other.token)).status).toBe(204);
    const fromPosts = (await http.get('/posts?limit=1')).body.nextCursor;
    const fromOtherFeed = (await feed(other.token, '?limit=1')).body.nextCursor;
    const fromOtherSort = (await feed(reader.token, '?limit=1&sort=title')).body.nextCursor;
    const ownCursor = (await feed(reader.token, '?limit=1')).body.nextCursor;
    for (const cursor of [fromPosts, fromOtherFeed, fromOtherSort, ownCursor]) expect(cursor).toEqual(expect.any(String));
    for (const cursor of [fromPosts, fromOtherFeed, fromOtherSort]) {
      const response = await feed(reader.token, `?limit=1&cursor=${cursor}`);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
    // The feed's own cursor is not one of GET /posts either.
    expect((await http.get(`/posts?limit=1&cursor=${ownCursor}`)).status).toBe(400);
    const next = await feed(reader.token, `?limit=1&cursor=${ownCursor}`);
    expect(next.status).toBe(200);
    expect(ids(next.body)).toEqual([followedPosts[1]]);
  });

  it('when a followed author deletes their account, then their posts are gone from the feed', async () => {
    expect((await http.delete(`/users/${bob.user.id}`, bob.token, { currentPassword: bob.password })).status).toBe(204);
    expect(ids((await feed(reader.token)).body)).toEqual([followedPosts[1], followedPosts[3]]);
  });

  it('when one address searches the feed past the expensive-read limit, then 429; a plain page of the feed is not counted', async () => {
    const rule: RateLimit = { limit: 2, windowMs: 60_000 };
    const limited = api(context, { expensiveReadLimit: rule, trustProxyHops: 1 });
    const read = (query: string) => checked(limited.raw().get(`/feed${query}`).set('X-Forwarded-For', '192.0.2.40').set('Authorization', `Bearer ${reader.token}`));
    for (let n = 0; n < 2; n++) expect((await read('?q=one')).status).toBe(200);
    const refused = await read('?count=true');
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(/^too many searches, totals or deep skips from this address/);
    const plain = await read('');
    expect(plain.status).toBe(200);
    expect(plain.headers.ratelimit).toBeUndefined();
  });
});
