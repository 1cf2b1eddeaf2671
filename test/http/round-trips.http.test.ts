import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { type SignedUp, api } from '../support/api';
import { conduit } from '../support/conduit-api';
import { describeEachStore } from '../support/each-store';
import { type StoreCalls, recordStoreCalls, storeCalls } from '../support/store-calls';
import { type StoreName, storeNames } from '../support/stores';

/**
 * The round-trip budget of every call of both APIs, on the happy path, signed in where the route takes it:
 * how many times the store is called (a statement, a whole transaction, or a MongoDB command; storeCalls),
 * exactly. A list is held to its budget at a page of 2 items and at a page of 20 by different authors,
 * favorited and followed by the caller, so one more call per item fails it. docs/round-trips.md is this
 * table; `UPDATE_ROUND_TRIPS=1` writes it again, and the last test fails when the committed one differs.
 *
 * The usual shape: a signed-in call reads its session (the session and its user together) once. SQL joins a
 * post's tags and counts, a comment's or a follow's user, in the statement that reads it; MongoDB has no join
 * and no foreign key, so it reads the authors or users of a page in one more command, and removes or checks
 * what a foreign key would have cascaded or refused in commands of their own. The three SQL stores agree on
 * every row: MariaDB's UPDATE, which has no RETURNING, reads the row back inside the same transaction, one call.
 */
const same = (n: number) => ({ sqlite: n, postgres: n, mysql: n, mongodb: n });
const sqlAndMongo = (sql: number, mongodb: number) => ({ sqlite: sql, postgres: sql, mysql: sql, mongodb });

const budgets = {
  // Native API: users and accounts.
  'POST /users': same(1),
  // The user, expired sessions swept, the new session, the user again. MongoDB reads the user before the session's
  // insert, for the profile's copy on it, and after, to catch a delete in between (no foreign key).
  'POST /auth/login': sqlAndMongo(4, 6),
  'POST /auth/logout': same(2),
  'GET /users/me': same(1),
  // MongoDB rewrites the profile's copies on the user's sessions too (user-copies.ts).
  'PATCH /users/:id': sqlAndMongo(2, 3),
  // SQL checks that the user exists apart from the UPDATE: MariaDB counts only the rows whose values change.
  'POST /users/me/password': sqlAndMongo(5, 4),
  'DELETE /users/me/sessions': same(2),
  // MongoDB removes by hand, one collection at a time, all that the foreign keys cascade on SQL.
  'DELETE /users/:id': sqlAndMongo(3, 12),
  // The session, the user and whether the caller follows them.
  'GET /users/:id': same(3),
  // The session, the page, its total when asked for, the flags of the whole page.
  'GET /users': same(3),
  'GET /users?count=true': same(4),
  'GET /users?cursor=…': same(3),
  // Native API: posts. With tags: one transaction on SQL. MongoDB reads the author after the insert (no foreign key).
  'POST /posts': sqlAndMongo(2, 3),
  'GET /posts/:id': same(3),
  'PATCH /posts/:id': same(2),
  // MongoDB deletes the post's comments and favorites after it: no foreign key cascades.
  'DELETE /posts/:id': sqlAndMongo(2, 4),
  'GET /posts': same(3),
  'GET /posts?count=true': same(4),
  'GET /posts?cursor=…': same(3),
  // And the author first, for a 404.
  'GET /users/:id/posts': same(4),
  'GET /users/:id/posts?count=true': same(5),
  'GET /users/:id/posts?cursor=…': same(4),
  // Native API: comments. MongoDB checks the post and reads the authors in commands of their own (no foreign key, no join).
  'POST /posts/:id/comments': sqlAndMongo(2, 5),
  'GET /posts/:id/comments': sqlAndMongo(2, 3),
  'GET /posts/:id/comments?cursor=…': sqlAndMongo(2, 3),
  'GET /posts/:id/comments/:commentId': sqlAndMongo(1, 3),
  'DELETE /posts/:id/comments/:commentId': same(2),
  // Native API: follows. MongoDB reads the users after the insert (no foreign key), and a page's users apart (no join).
  'PUT /users/me/following/:userId': sqlAndMongo(2, 3),
  'DELETE /users/me/following/:userId': same(2),
  'GET /users/:id/followers': sqlAndMongo(4, 5),
  'GET /users/:id/followers?cursor=…': sqlAndMongo(4, 5),
  'GET /users/:id/following': sqlAndMongo(4, 5),
  'GET /users/:id/following?cursor=…': sqlAndMongo(4, 5),
  // Native API: favorites. MongoDB keeps the count on the post, an $inc of its own, and reads a page's posts apart.
  'PUT /users/me/favorites/:postId': sqlAndMongo(2, 4),
  'DELETE /users/me/favorites/:postId': sqlAndMongo(2, 3),
  'GET /users/:id/favorites': sqlAndMongo(4, 5),
  'GET /users/:id/favorites?cursor=…': sqlAndMongo(4, 5),
  // Native API: the feed. MongoDB reads the caller's followees first (no semi-join), and again for the total.
  'GET /feed': sqlAndMongo(3, 4),
  'GET /feed?count=true': sqlAndMongo(4, 6),
  'GET /feed?cursor=…': sqlAndMongo(3, 4),
  // Native API: tags.
  'GET /tags': same(1),
  'GET /tags?count=true': same(2),
  'GET /tags?cursor=…': same(1),
  // Platform routes: the store's ping, and nothing else.
  'GET /healthz': same(0),
  'GET /readyz': same(1),
  'GET /openapi.json': same(0),
  // Conduit API: users and profiles, as the native ones (a registration is a sign-up and a login).
  'POST /api/users': sqlAndMongo(4, 6),
  'POST /api/users/login': sqlAndMongo(4, 6),
  'GET /api/user': same(1),
  'PUT /api/user': sqlAndMongo(2, 3),
  'GET /api/profiles/:username': same(3),
  // The user by username first, then the native follow.
  'POST /api/profiles/:username/follow': sqlAndMongo(3, 4),
  'DELETE /api/profiles/:username/follow': same(3),
  // Conduit API: articles. A page: the session, the page, its total, the authors, the favorites, the follows.
  'GET /api/articles': same(6),
  'GET /api/articles?offset=…': same(6),
  'GET /api/articles?tag=…': same(6),
  // And the user of the username first.
  'GET /api/articles?author=…': same(7),
  // MongoDB reads that user's favorites first, for the page and again for its total (no join).
  'GET /api/articles?favorited=…': sqlAndMongo(7, 9),
  // MongoDB reads the caller's followees for the page and again for its total.
  'GET /api/articles/feed': sqlAndMongo(6, 8),
  'POST /api/articles': sqlAndMongo(2, 3),
  'GET /api/articles/:slug': same(5),
  // The article by slug, the update, the caller's flag.
  'PUT /api/articles/:slug': same(4),
  'DELETE /api/articles/:slug': sqlAndMongo(3, 5),
  // The article by slug, the native favorite, the article with its author and flags.
  'POST /api/articles/:slug/favorite': sqlAndMongo(7, 9),
  'DELETE /api/articles/:slug/favorite': sqlAndMongo(7, 8),
  // The article by slug, the page of comments (their authors apart on MongoDB), the follows of the authors.
  'GET /api/articles/:slug/comments': sqlAndMongo(5, 6),
  // The article by slug, then the native create.
  'POST /api/articles/:slug/comments': sqlAndMongo(3, 6),
  // MongoDB reads the comment, its post and its author before the delete (no join).
  'DELETE /api/articles/:slug/comments/:id': sqlAndMongo(4, 6),
  'GET /api/tags': same(1),
  'GET /api/openapi.json': same(0),
} satisfies Record<string, Record<StoreName, number>>;

type Call = keyof typeof budgets;

/** What one run of a call met: its status, and for a list the items it answered. */
interface Run {
  status: number;
  calls: number;
  items?: number;
}

/** A list's two pages: a small one and a full one. */
const small = 2;
const full = 20;
/** How many of each record the lists have: a full page, and one more for a cursor to skip. */
const many = full + 1;

describeEachStore('round trips of every API call', (context) => {
  const http = api(context);
  const web = conduit(context);
  const runs = new Map<Call, { run: Run; expected: { status: number; items?: number } }[]>();
  let calls: StoreCalls;

  /**
   * Sends `prepare`'s request twice to warm the pools and statements, then once more while recording. Each
   * time `prepare` makes what the request needs (a post to delete, a user to sign in) without recording.
   */
  const measure = async (call: Call, prepare: () => Promise<() => Promise<Response>>, status: number, items?: { count: (body: never) => number; expected: number }) => {
    for (let warm = 0; warm < 2; warm += 1) await (await prepare())();
    const request = await prepare();
    calls.start();
    const response = await request();
    const run: Run = { status: response.status, calls: storeCalls(calls.sent()), items: items?.count(response.body as never) };
    runs.set(call, [...(runs.get(call) ?? []), { run, expected: { status, items: items?.expected } }]);
  };
  const again = (request: () => Promise<Response>) => () => Promise.resolve(request);
  const items = (body: { items: unknown[] }) => body.items.length;
  const articles = (body: { articles: unknown[] }) => body.articles.length;

  /** Both pages of a native list: `path` with limit=2 and limit=20; with `cursor`, after its first item. */
  const measureList = async (call: Call, path: string, token: string | undefined, cursor = false) => {
    const joiner = path.includes('?') ? '&' : '?';
    let after = '';
    if (cursor) {
      const first = await http.get(`${path}${joiner}limit=1`, token);
      after = `&cursor=${encodeURIComponent(first.body.nextCursor as string)}`;
    }
    for (const limit of [small, full]) await measure(call, again(() => http.get(`${path}${joiner}limit=${limit}${after}`, token)), 200, { count: items, expected: limit });
  };

  beforeAll(async () => {
    calls = recordStoreCalls(context.name);
    const reader = await http.signUp();
    const authors: SignedUp[] = [];
    for (let i = 0; i < many; i += 1) authors.push(await http.signUp());
    const [prolific, heavyAuthor, lightAuthor] = authors;
    // One author's own list, older than every other post: the newest pages are by different authors.
    for (let i = 0; i < many - 1; i += 1) expect((await http.post('/posts', { title: `Own ${i}`, content: 'c' }, prolific.token)).status).toBe(201);

    // Two tags in use, then as many as the others add.
    const postIds: string[] = [];
    const postBy = async (author: SignedUp, i: number) => {
      const created = await http.post('/posts', { title: `Post ${i}`, content: 'c', tags: i === 0 ? ['common'] : ['common', `t${i}`] }, author.token);
      expect(created.status).toBe(201);
      postIds.push(created.body.id);
    };
    await postBy(authors[0], 0);
    await postBy(authors[1], 1);
    await measure('GET /api/tags', again(() => web.get('/tags')), 200, { count: (body: { tags: unknown[] }) => body.tags.length, expected: small });
    for (let i = 2; i < many; i += 1) await postBy(authors[i], i);

    // The reader follows and favorites every author and post; every author follows the reader and comments on one post.
    const heavyPost = postIds[1];
    for (const [i, author] of authors.entries()) {
      expect((await http.put(`/users/me/following/${author.user.id}`, reader.token)).status).toBe(204);
      expect((await http.put(`/users/me/following/${reader.user.id}`, author.token)).status).toBe(204);
      expect((await http.put(`/users/me/favorites/${postIds[i]}`, reader.token)).status).toBe(204);
      expect((await http.post(`/posts/${heavyPost}/comments`, { content: `Comment ${i}` }, author.token)).status).toBe(201);
    }
    const slugOf = async (author: SignedUp) => (await web.get(`/articles?author=${author.user.username}`)).body.articles[0].slug as string;
    const [heavySlug, lightSlug] = [await slugOf(heavyAuthor), await slugOf(lightAuthor)];
    for (const author of [authors[3], authors[4]]) expect((await web.post(`/articles/${lightSlug}/comments`, { comment: { body: 'Light' } }, author.token)).status).toBe(200);

    // Native lists.
    const r = reader.token;
    const me = reader.user.id;
    await measureList('GET /users', '/users', r);
    await measureList('GET /users?count=true', '/users?count=true', r);
    await measureList('GET /users?cursor=…', '/users', r, true);
    await measureList('GET /posts', '/posts', r);
    await measureList('GET /posts?count=true', '/posts?count=true', r);
    await measureList('GET /posts?cursor=…', '/posts', r, true);
    await measureList('GET /users/:id/posts', `/users/${prolific.user.id}/posts`, r);
    await measureList('GET /users/:id/posts?count=true', `/users/${prolific.user.id}/posts?count=true`, r);
    await measureList('GET /users/:id/posts?cursor=…', `/users/${prolific.user.id}/posts`, r, true);
    await measureList('GET /posts/:id/comments', `/posts/${heavyPost}/comments`, undefined);
    await measureList('GET /posts/:id/comments?cursor=…', `/posts/${heavyPost}/comments`, undefined, true);
    await measureList('GET /users/:id/followers', `/users/${me}/followers`, r);
    await measureList('GET /users/:id/followers?cursor=…', `/users/${me}/followers`, r, true);
    await measureList('GET /users/:id/following', `/users/${me}/following`, r);
    await measureList('GET /users/:id/following?cursor=…', `/users/${me}/following`, r, true);
    await measureList('GET /users/:id/favorites', `/users/${me}/favorites`, r);
    await measureList('GET /users/:id/favorites?cursor=…', `/users/${me}/favorites`, r, true);
    await measureList('GET /feed', '/feed', r);
    await measureList('GET /feed?count=true', '/feed?count=true', r);
    await measureList('GET /feed?cursor=…', '/feed', r, true);
    await measureList('GET /tags', '/tags', undefined);
    await measureList('GET /tags?count=true', '/tags?count=true', undefined);
    await measureList('GET /tags?cursor=…', '/tags', undefined, true);

    // Conduit lists.
    const conduitList = async (call: Call, path: string) => {
      const joiner = path.includes('?') ? '&' : '?';
      for (const limit of [small, full]) await measure(call, again(() => web.get(`${path}${joiner}limit=${limit}`, r)), 200, { count: articles, expected: limit });
    };
    await conduitList('GET /api/articles', '/articles');
    await conduitList('GET /api/articles?offset=…', '/articles?offset=1');
    await conduitList('GET /api/articles?tag=…', '/articles?tag=common');
    await conduitList('GET /api/articles?author=…', `/articles?author=${prolific.user.username}`);
    await conduitList('GET /api/articles?favorited=…', `/articles?favorited=${reader.user.username}`);
    await conduitList('GET /api/articles/feed', '/articles/feed');
    const comments = (body: { comments: unknown[] }) => body.comments.length;
    await measure('GET /api/articles/:slug/comments', again(() => web.get(`/articles/${lightSlug}/comments`, r)), 200, { count: comments, expected: small });
    await measure('GET /api/articles/:slug/comments', again(() => web.get(`/articles/${heavySlug}/comments`, r)), 200, { count: comments, expected: many });
    await measure('GET /api/tags', again(() => web.get('/tags')), 200, { count: (body: { tags: unknown[] }) => body.tags.length, expected: many });

    // Native reads.
    await measure('GET /users/me', again(() => http.get('/users/me', r)), 200);
    await measure('GET /users/:id', again(() => http.get(`/users/${prolific.user.id}`, r)), 200);
    await measure('GET /posts/:id', again(() => http.get(`/posts/${heavyPost}`, r)), 200);
    const commentId = (await http.get(`/posts/${heavyPost}/comments?limit=1`)).body.items[0].id as string;
    await measure('GET /posts/:id/comments/:commentId', again(() => http.get(`/posts/${heavyPost}/comments/${commentId}`)), 200);
    await measure('GET /healthz', again(() => http.get('/healthz')), 200);
    await measure('GET /readyz', again(() => http.get('/readyz')), 200);
    await measure('GET /openapi.json', again(() => http.get('/openapi.json')), 200);

    // Conduit reads.
    await measure('GET /api/user', again(() => web.get('/user', r)), 200);
    await measure('GET /api/profiles/:username', again(() => web.get(`/profiles/${prolific.user.username}`, r)), 200);
    await measure('GET /api/articles/:slug', again(() => web.get(`/articles/${heavySlug}`, r)), 200);
    await measure('GET /api/openapi.json', again(() => web.get('/openapi.json')), 200);

    // Native writes: each on records of its own, made while not recording.
    const fresh = () => http.signUp();
    const aPost = async (token: string) => (await http.post('/posts', { title: 'Mine', content: 'c', tags: ['mine'] }, token)).body.id as string;
    await measure('POST /users', async () => () => http.post('/users', { email: `new${unique()}@example.com`, username: `new_${unique()}`, displayName: 'New', password: 'correct horse new battery' }), 201);
    await measure('POST /auth/login', async () => {
      const { user, password } = await fresh();
      return () => http.post('/auth/login', { email: user.email, password });
    }, 200);
    await measure('POST /auth/logout', async () => {
      const { token } = await fresh();
      return () => http.post('/auth/logout', undefined, token);
    }, 204);
    await measure('PATCH /users/:id', async () => {
      const { user, token } = await fresh();
      return () => http.patch(`/users/${user.id}`, { displayName: 'Renamed' }, token);
    }, 200);
    await measure('POST /users/me/password', async () => {
      const { token, password } = await fresh();
      return () => http.post('/users/me/password', { currentPassword: password, newPassword: 'another horse battery staple' }, token);
    }, 204);
    await measure('DELETE /users/me/sessions', async () => {
      const { token } = await fresh();
      return () => http.delete('/users/me/sessions', token);
    }, 204);
    await measure('DELETE /users/:id', async () => {
      const { user, token, password } = await fresh();
      await aPost(token);
      return () => http.delete(`/users/${user.id}`, token, { currentPassword: password });
    }, 204);
    await measure('POST /posts', again(() => http.post('/posts', { title: 'Tagged', content: 'c', tags: ['first', 'second'] }, r)), 201);
    await measure('PATCH /posts/:id', async () => {
      const id = await aPost(r);
      return () => http.patch(`/posts/${id}`, { title: 'Changed', tags: ['changed'] }, r);
    }, 200);
    await measure('DELETE /posts/:id', async () => {
      const id = await aPost(r);
      return () => http.delete(`/posts/${id}`, r);
    }, 204);
    await measure('POST /posts/:id/comments', again(() => http.post(`/posts/${heavyPost}/comments`, { content: 'More' }, r)), 201);
    await measure('DELETE /posts/:id/comments/:commentId', async () => {
      const id = (await http.post(`/posts/${heavyPost}/comments`, { content: 'Gone' }, r)).body.id as string;
      return () => http.delete(`/posts/${heavyPost}/comments/${id}`, r);
    }, 204);
    await measure('PUT /users/me/following/:userId', async () => {
      const { user } = await fresh();
      return () => http.put(`/users/me/following/${user.id}`, r);
    }, 204);
    await measure('DELETE /users/me/following/:userId', async () => {
      const { user } = await fresh();
      await http.put(`/users/me/following/${user.id}`, r);
      return () => http.delete(`/users/me/following/${user.id}`, r);
    }, 204);
    await measure('PUT /users/me/favorites/:postId', async () => {
      const id = await aPost(prolific.token);
      return () => http.put(`/users/me/favorites/${id}`, r);
    }, 204);
    await measure('DELETE /users/me/favorites/:postId', async () => {
      const id = await aPost(prolific.token);
      await http.put(`/users/me/favorites/${id}`, r);
      return () => http.delete(`/users/me/favorites/${id}`, r);
    }, 204);

    // Conduit writes.
    const article = async (token: string) => (await web.post('/articles', { article: { title: `Article ${unique()}`, description: 'd', body: 'b', tagList: ['mine'] } }, token)).body.article.slug as string;
    await measure('POST /api/users', async () => () => web.post('/users', { user: { email: `web${unique()}@example.com`, username: `web_${unique()}`, password: 'correct horse web battery' } }), 201);
    await measure('POST /api/users/login', async () => {
      const { user, password } = await fresh();
      return () => web.post('/users/login', { user: { email: user.email, password } });
    }, 200);
    await measure('PUT /api/user', async () => {
      const { token } = await fresh();
      return () => web.put('/user', { user: { bio: 'Changed' } }, token);
    }, 200);
    await measure('POST /api/profiles/:username/follow', async () => {
      const { user } = await fresh();
      return () => web.post(`/profiles/${user.username}/follow`, undefined, r);
    }, 200);
    await measure('DELETE /api/profiles/:username/follow', async () => {
      const { user } = await fresh();
      await http.put(`/users/me/following/${user.id}`, r);
      return () => web.delete(`/profiles/${user.username}/follow`, r);
    }, 200);
    await measure('POST /api/articles', again(() => web.post('/articles', { article: { title: `Article ${unique()}`, description: 'd', body: 'b', tagList: ['first', 'second'] } }, r)), 201);
    await measure('PUT /api/articles/:slug', async () => {
      const slug = await article(r);
      return () => web.put(`/articles/${slug}`, { article: { body: 'Changed' } }, r);
    }, 200);
    await measure('DELETE /api/articles/:slug', async () => {
      const slug = await article(r);
      return () => web.delete(`/articles/${slug}`, r);
    }, 200);
    await measure('POST /api/articles/:slug/favorite', async () => {
      const slug = await article(prolific.token);
      return () => web.post(`/articles/${slug}/favorite`, undefined, r);
    }, 200);
    await measure('DELETE /api/articles/:slug/favorite', async () => {
      const slug = await article(prolific.token);
      await web.post(`/articles/${slug}/favorite`, undefined, r);
      return () => web.delete(`/articles/${slug}/favorite`, r);
    }, 200);
    await measure('POST /api/articles/:slug/comments', again(() => web.post(`/articles/${heavySlug}/comments`, { comment: { body: 'More' } }, r)), 200);
    await measure('DELETE /api/articles/:slug/comments/:id', async () => {
      const id = (await web.post(`/articles/${heavySlug}/comments`, { comment: { body: 'Gone' } }, r)).body.comment.id as number;
      return () => web.delete(`/articles/${heavySlug}/comments/${id}`, r);
    }, 200);
  }, 300_000);
  afterAll(() => calls?.restore());

  it.each(Object.keys(budgets) as Call[])('when %s succeeds, then the store is called exactly its budget, a list at a page of 2 and of 20', (call) => {
    const measured = runs.get(call) ?? [];
    expect(measured.length).toBeGreaterThan(0);
    expect(measured.map(({ run }) => ({ status: run.status, items: run.items }))).toEqual(measured.map(({ expected }) => expected));
    // Every page in one line, so that a red line shows how the count grows with the page.
    const pages = (count: (run: Run) => number) => measured.map(({ run }) => `${run.items === undefined ? 'once' : `at ${run.items} items`}: ${count(run)} calls`).join('; ');
    expect(`${call} ${pages((run) => run.calls)}`).toBe(`${call} ${pages(() => budgets[call][context.name])}`);
  });
});

let sequence = 0;
/** A suffix no other test's factory uses. */
function unique(): string {
  sequence += 1;
  return `rt${process.pid}x${sequence}`;
}

const documentPath = join(__dirname, '../../docs/round-trips.md');
const storeTitles: Record<StoreName, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MariaDB', mongodb: 'MongoDB' };

/** docs/round-trips.md, from the budgets above. */
function roundTripsDocument(): string {
  const rows = (Object.keys(budgets) as Call[]).map((call) => `| \`${call}\` | ${storeNames.map((name) => budgets[call][name]).join(' | ')} |`);
  return [
    '# Round trips per API call',
    '',
    '<!-- Written by `UPDATE_ROUND_TRIPS=1 npx jest test/http/round-trips.http.test.ts --selectProjects UTC` from the budgets in that test; do not edit. -->',
    '',
    'How many times each call of the native API and of the Conduit API (`/api`) calls its store, on the happy path and',
    'signed in where the route takes it: one statement, one whole transaction (BEGIN to COMMIT), or one MongoDB command.',
    '`test/http/round-trips.http.test.ts` holds every store to these numbers exactly, each list at a page of 2 items and',
    'of 20 (by different authors, favorited and followed by the caller), so a call per item fails it. Why a store',
    'differs is said beside its row in the test: mostly that MongoDB has no join and no foreign key. The MongoDB column',
    'counts the commands the driver sends, whatever server answers them (FerretDB stands in for MongoDB in the tests).',
    '',
    `| call | ${storeNames.map((name) => storeTitles[name]).join(' | ')} |`,
    `|---|${storeNames.map(() => '---:').join('|')}|`,
    ...rows,
    '',
  ].join('\n');
}

describe('docs/round-trips.md', () => {
  it('when rendered from the budgets, then it equals the committed file (UPDATE_ROUND_TRIPS=1 writes it)', () => {
    if (process.env.UPDATE_ROUND_TRIPS === '1') writeFileSync(documentPath, roundTripsDocument());
    expect(readFileSync(documentPath, 'utf8')).toBe(roundTripsDocument());
  });
});
