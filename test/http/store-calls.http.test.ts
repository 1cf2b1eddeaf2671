import type { StoreName } from '../support/stores';
import { type SignedUp, api } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { type StoreCalls, recordStoreCalls, storeCalls } from '../support/store-calls';

/**
 * What each signed-in request on the happy path sends its store, as the driver sends it. One call
 * authenticates (the session and its user together); one more makes the write: a statement, or one
 * transaction. On MongoDB, which has no foreign keys, a new post is followed by one read of its author
 * (user-reference.ts), and a change of a profile by the rewrite of its copies on the user's sessions.
 */
type Request = 'GET /users/me' | 'PATCH /users/:id' | 'POST /posts' | 'POST /posts with tags' | 'PATCH /posts/:id' | 'PATCH /posts/:id with tags and If-Match' | 'DELETE /posts/:id';

const session = { sqlite: ['SELECT'], postgres: ['SELECT'], mysql: ['SELECT'], mongodb: ['find sessions'] } as const;

/** Each request's statements or commands after the session's read, store by store. */
const writes: Record<Request, Record<StoreName, string[]>> = {
  'GET /users/me': { sqlite: [], postgres: [], mysql: [], mongodb: [] },
  // On MongoDB the profile's copies on the user's sessions are rewritten too (user-copies.ts).
  'PATCH /users/:id': {
    sqlite: ['UPDATE users'],
    postgres: ['UPDATE users'],
    mysql: ['START TRANSACTION', 'UPDATE users', 'SELECT', 'COMMIT'],
    mongodb: ['findAndModify users', 'update sessions'],
  },
  'POST /posts': {
    sqlite: ['INSERT INTO posts'],
    postgres: ['INSERT INTO posts'],
    mysql: ['INSERT INTO posts'],
    mongodb: ['insert posts', 'find users'],
  },
  'POST /posts with tags': {
    sqlite: ['BEGIN IMMEDIATE', 'INSERT INTO tags', 'INSERT INTO posts', 'INSERT INTO post_tags', 'COMMIT'],
    postgres: ['START TRANSACTION', 'INSERT INTO tags', 'INSERT INTO posts', 'INSERT INTO post_tags', 'COMMIT'],
    mysql: ['START TRANSACTION', 'INSERT INTO tags', 'INSERT INTO posts', 'INSERT INTO post_tags', 'COMMIT'],
    mongodb: ['insert posts', 'find users'],
  },
  'PATCH /posts/:id': {
    sqlite: ['UPDATE posts'],
    postgres: ['UPDATE posts'],
    mysql: ['START TRANSACTION', 'UPDATE posts', 'SELECT', 'COMMIT'],
    mongodb: ['findAndModify posts'],
  },
  'PATCH /posts/:id with tags and If-Match': {
    sqlite: ['BEGIN IMMEDIATE', 'INSERT INTO tags', 'UPDATE posts', 'DELETE FROM post_tags', 'INSERT INTO post_tags', 'COMMIT'],
    postgres: ['START TRANSACTION', 'INSERT INTO tags', 'UPDATE posts', 'DELETE FROM post_tags', 'INSERT INTO post_tags', 'COMMIT'],
    mysql: ['START TRANSACTION', 'INSERT INTO tags', 'UPDATE posts', 'SELECT', 'DELETE FROM post_tags', 'INSERT INTO post_tags', 'COMMIT'],
    mongodb: ['findAndModify posts'],
  },
  // On MongoDB the post's comments and favorites go after it (no foreign key to cascade).
  'DELETE /posts/:id': {
    sqlite: ['DELETE FROM posts'],
    postgres: ['DELETE FROM posts'],
    mysql: ['DELETE FROM posts'],
    mongodb: ['delete posts', 'delete comments', 'delete favorites'],
  },
};

describeEachStore('store calls of signed-in requests', (context) => {
  const http = api(context);
  let calls: StoreCalls;
  let token: string;
  let userId: string;
  let postId: string;

  beforeAll(() => {
    calls = recordStoreCalls(context.name);
  });
  afterAll(() => calls.restore());

  beforeEach(async () => {
    ({ token, user: { id: userId } } = await http.signUp());
    // Warm: every pooled connection the requests below may take is open, and every statement made once.
    for (let i = 0; i < 3; i += 1) {
      postId = (await http.post('/posts', { title: 'Warm', content: 'Up', tags: ['warm'] }, token)).body.id;
      await http.patch(`/posts/${postId}`, { title: 'Warmer', tags: ['warmer'] }, token);
    }
  });

  /** Sends `request` while recording, and answers its status and what the store was sent. */
  const recorded = async (request: () => Promise<{ status: number }>) => {
    calls.start();
    const { status } = await request();
    return { status, sent: calls.sent() };
  };

  const requests: [Request, () => Promise<{ status: number }>, number][] = [
    ['GET /users/me', () => http.get('/users/me', token), 200],
    ['PATCH /users/:id', () => http.patch(`/users/${userId}`, { displayName: 'Renamed' }, token), 200],
    ['POST /posts', () => http.post('/posts', { title: 'Plain', content: 'No tags' }, token), 201],
    ['POST /posts with tags', () => http.post('/posts', { title: 'Tagged', content: 'Two tags', tags: ['first', 'second'] }, token), 201],
    ['PATCH /posts/:id', () => http.patch(`/posts/${postId}`, { title: 'Changed' }, token), 200],
    [
      'PATCH /posts/:id with tags and If-Match',
      () => checkedPatch(http.raw().patch(`/posts/${postId}`), token, { title: 'Retagged', tags: ['new-one'] }, '"2"'),
      200,
    ],
    ['DELETE /posts/:id', () => http.delete(`/posts/${postId}`, token), 204],
  ];

  it.each(requests)('when %s succeeds, then the store is called once to authenticate, and a write once more (on MongoDB twice for a new post or a profile, three times for a deleted post)', async (name, request, status) => {
    const { status: answered, sent } = await recorded(request);
    expect(answered).toBe(status);
    expect(sent).toEqual([...session[context.name], ...writes[name][context.name]]);
    const twiceOnMongoDb = name.startsWith('POST') || name.startsWith('PATCH /users');
    const mongoDbWrites = name === 'DELETE /posts/:id' ? 3 : twiceOnMongoDb ? 2 : 1;
    const expected = name === 'GET /users/me' ? 1 : 1 + (context.name === 'mongodb' ? mongoDbWrites : 1);
    expect(storeCalls(sent)).toBe(expected);
  });

  it("when a write names another author's post, then the write is tried once and one read tells why it was refused", async () => {
    const other = await http.signUp();
    const { status, sent } = await recorded(() => http.patch(`/posts/${postId}`, { title: 'Not mine' }, other.token));
    expect(status).toBe(403);
    // The session, the write that matched nothing, then the read that tells 403 from 404 and 412.
    expect(storeCalls(sent)).toBe(3);
    expect(sent.at(-1)).toBe(context.name === 'mongodb' ? 'find posts' : 'SELECT');
  });
});

/**
 * Follows and the reads that carry `following`. A follow is one statement on SQL (the foreign keys refuse an
 * unknown user); on MongoDB one insert, then one read of both users (user-reference.ts). A read that carries
 * the flags asks for them once for the whole page, after the page; without a token, it does not ask the store
 * who is calling. Reads made at once (a user and whether the caller follows them) are compared in any order.
 */
type FollowRequest =
  | 'PUT /users/me/following/:userId'
  | 'DELETE /users/me/following/:userId'
  | 'GET /users/:id'
  | 'GET /users/:id signed in'
  | 'GET /users signed in'
  | 'GET /users/:id/followers'
  | 'GET /users/:id/followers signed in';

const followCalls: Record<FollowRequest, Record<StoreName, string[]>> = {
  'PUT /users/me/following/:userId': {
    sqlite: ['INSERT INTO follows', 'SELECT'],
    postgres: ['INSERT INTO follows', 'SELECT'],
    mysql: ['INSERT INTO follows', 'SELECT'],
    mongodb: ['find sessions', 'find users', 'insert follows'],
  },
  'DELETE /users/me/following/:userId': {
    sqlite: ['DELETE FROM follows', 'SELECT'],
    postgres: ['DELETE FROM follows', 'SELECT'],
    mysql: ['DELETE FROM follows', 'SELECT'],
    mongodb: ['delete follows', 'find sessions'],
  },
  'GET /users/:id': { sqlite: ['SELECT'], postgres: ['SELECT'], mysql: ['SELECT'], mongodb: ['find users'] },
  'GET /users/:id signed in': {
    sqlite: ['SELECT', 'SELECT', 'SELECT'],
    postgres: ['SELECT', 'SELECT', 'SELECT'],
    mysql: ['SELECT', 'SELECT', 'SELECT'],
    mongodb: ['find follows', 'find sessions', 'find users'],
  },
  'GET /users signed in': {
    sqlite: ['SELECT', 'SELECT', 'SELECT'],
    postgres: ['SELECT', 'SELECT', 'SELECT'],
    mysql: ['SELECT', 'SELECT', 'SELECT'],
    mongodb: ['find follows', 'find sessions', 'find users'],
  },
  // The user, and the page of follows with its users: one joined statement on SQL, two commands on MongoDB.
  'GET /users/:id/followers': {
    sqlite: ['SELECT', 'SELECT'],
    postgres: ['SELECT', 'SELECT'],
    mysql: ['SELECT', 'SELECT'],
    mongodb: ['find follows', 'find users', 'find users'],
  },
  'GET /users/:id/followers signed in': {
    sqlite: ['SELECT', 'SELECT', 'SELECT', 'SELECT'],
    postgres: ['SELECT', 'SELECT', 'SELECT', 'SELECT'],
    mysql: ['SELECT', 'SELECT', 'SELECT', 'SELECT'],
    mongodb: ['find follows', 'find follows', 'find sessions', 'find users', 'find users'],
  },
};

describeEachStore('store calls of follows and of reads with following', (context) => {
  const http = api(context);
  let calls: StoreCalls;
  let caller: SignedUp;
  let star: SignedUp;

  beforeAll(() => {
    calls = recordStoreCalls(context.name);
  });
  afterAll(() => calls.restore());

  beforeEach(async () => {
    [caller, star] = [await http.signUp(), await http.signUp()];
    // Warm, as above; a page of 5 followers, so that a call per user would show.
    for (let i = 0; i < 5; i += 1) expect((await http.put(`/users/me/following/${star.user.id}`, (await http.signUp()).token)).status).toBe(204);
    for (let i = 0; i < 3; i += 1) {
      await http.put(`/users/me/following/${star.user.id}`, caller.token);
      await http.delete(`/users/me/following/${star.user.id}`, caller.token);
      await http.get(`/users/${star.user.id}/followers`, caller.token);
      await http.get(`/users/${star.user.id}`, caller.token);
      await http.get('/users', caller.token);
    }
  });

  const requests: [FollowRequest, () => Promise<{ status: number }>, number, number][] = [
    ['PUT /users/me/following/:userId', () => http.put(`/users/me/following/${star.user.id}`, caller.token), 204, 2],
    [
      'DELETE /users/me/following/:userId',
      async () => {
        await http.put(`/users/me/following/${star.user.id}`, caller.token);
        calls.start();
        return http.delete(`/users/me/following/${star.user.id}`, caller.token);
      },
      204,
      2,
    ],
    ['GET /users/:id', () => http.get(`/users/${star.user.id}`), 200, 1],
    ['GET /users/:id signed in', () => http.get(`/users/${star.user.id}`, caller.token), 200, 3],
    ['GET /users signed in', () => http.get('/users?limit=100', caller.token), 200, 3],
    ['GET /users/:id/followers', () => http.get(`/users/${star.user.id}/followers`), 200, 2],
    ['GET /users/:id/followers signed in', () => http.get(`/users/${star.user.id}/followers`, caller.token), 200, 4],
  ];

  it.each(requests)('when %s succeeds, then the store is called as pinned, whatever the page holds', async (name, request, status, sqlCalls) => {
    calls.start();
    const { status: answered } = await request();
    const sent = calls.sent();
    expect(answered).toBe(status);
    expect([...sent].sort()).toEqual(followCalls[name][context.name]);
    // MongoDB has no join: a follow reads its users after the insert, and a page of follows reads its users apart.
    const mongoExtra = context.name === 'mongodb' && (name.startsWith('PUT') || name.includes('followers')) ? 1 : 0;
    expect(storeCalls(sent)).toBe(sqlCalls + mongoExtra);
  });
});

/**
 * Favorites and the reads that carry `favorited`. A favorite is one statement on SQL (the foreign keys refuse
 * an unknown post or user, and the count is read with each post); on MongoDB one insert, then at once the
 * count's $inc on the post (which finds no post when it is gone) and the read of the user. An unfavorite is
 * one delete, and on MongoDB the $inc of what it removed. A read that carries the flags asks for them once for
 * the whole page. A favoritedBy list on MongoDB reads the user's favorites first (no $lookup).
 */
type FavoriteRequest =
  | 'PUT /users/me/favorites/:postId'
  | 'DELETE /users/me/favorites/:postId'
  | 'GET /posts/:id'
  | 'GET /posts/:id signed in'
  | 'GET /posts signed in'
  | 'GET /posts?favoritedBy'
  | 'GET /users/:id/favorites'
  | 'GET /users/:id/favorites signed in';

const favoriteCalls: Record<FavoriteRequest, [sql: string[], mongodb: string[]]> = {
  'PUT /users/me/favorites/:postId': [['INSERT INTO favorites', 'SELECT'], ['find sessions', 'find users', 'insert favorites', 'update posts']],
  'DELETE /users/me/favorites/:postId': [['DELETE FROM favorites', 'SELECT'], ['delete favorites', 'find sessions', 'update posts']],
  'GET /posts/:id': [['SELECT'], ['find posts']],
  'GET /posts/:id signed in': [['SELECT', 'SELECT', 'SELECT'], ['find favorites', 'find posts', 'find sessions']],
  'GET /posts signed in': [['SELECT', 'SELECT', 'SELECT'], ['find favorites', 'find posts', 'find sessions']],
  'GET /posts?favoritedBy': [['SELECT'], ['find favorites', 'find posts']],
  // The user, and the page of favorites with its posts: one joined statement on SQL, two commands on MongoDB.
  'GET /users/:id/favorites': [['SELECT', 'SELECT'], ['find favorites', 'find posts', 'find users']],
  'GET /users/:id/favorites signed in': [
    ['SELECT', 'SELECT', 'SELECT', 'SELECT'],
    ['find favorites', 'find favorites', 'find posts', 'find sessions', 'find users'],
  ],
};

describeEachStore('store calls of favorites and of reads with favorited', (context) => {
  const http = api(context);
  let calls: StoreCalls;
  let caller: SignedUp;
  let author: SignedUp;
  let postId: string;

  beforeAll(() => {
    calls = recordStoreCalls(context.name);
  });
  afterAll(() => calls.restore());

  beforeEach(async () => {
    [caller, author] = [await http.signUp(), await http.signUp()];
    // Warm, as above; a page of 5 posts, all favorited by the caller, so that a call per post would show.
    for (let i = 0; i < 5; i += 1) {
      postId = (await http.post('/posts', { title: `Post ${i}`, content: 'c' }, author.token)).body.id;
      expect((await http.put(`/users/me/favorites/${postId}`, caller.token)).status).toBe(204);
    }
    for (let i = 0; i < 3; i += 1) {
      await http.delete(`/users/me/favorites/${postId}`, caller.token);
      await http.put(`/users/me/favorites/${postId}`, caller.token);
      await http.get(`/posts/${postId}`, caller.token);
      await http.get('/posts', caller.token);
      await http.get(`/posts?favoritedBy=${caller.user.id}`);
      await http.get(`/users/${caller.user.id}/favorites`, caller.token);
    }
  });

  const requests: [FavoriteRequest, () => Promise<{ status: number }>, number, number, number][] = [
    [
      'PUT /users/me/favorites/:postId',
      async () => {
        await http.delete(`/users/me/favorites/${postId}`, caller.token);
        calls.start();
        return http.put(`/users/me/favorites/${postId}`, caller.token);
      },
      204,
      2,
      4,
    ],
    ['DELETE /users/me/favorites/:postId', () => http.delete(`/users/me/favorites/${postId}`, caller.token), 204, 2, 3],
    ['GET /posts/:id', () => http.get(`/posts/${postId}`), 200, 1, 1],
    ['GET /posts/:id signed in', () => http.get(`/posts/${postId}`, caller.token), 200, 3, 3],
    ['GET /posts signed in', () => http.get('/posts', caller.token), 200, 3, 3],
    ['GET /posts?favoritedBy', () => http.get(`/posts?favoritedBy=${caller.user.id}`), 200, 1, 2],
    ['GET /users/:id/favorites', () => http.get(`/users/${caller.user.id}/favorites`), 200, 2, 3],
    ['GET /users/:id/favorites signed in', () => http.get(`/users/${caller.user.id}/favorites`, caller.token), 200, 4, 5],
  ];

  it.each(requests)('when %s succeeds, then the store is called as pinned, whatever the page holds', async (name, request, status, sqlCalls, mongoDbCalls) => {
    calls.start();
    const response = await request();
    const sent = calls.sent();
    expect(response.status).toBe(status);
    const [sql, mongodb] = favoriteCalls[name];
    expect([...sent].sort()).toEqual(context.name === 'mongodb' ? mongodb : sql);
    expect(storeCalls(sent)).toBe(context.name === 'mongodb' ? mongoDbCalls : sqlCalls);
  });
});

function checkedPatch(test: import('supertest').Test, token: string, body: unknown, ifMatch: string) {
  return test.set('Authorization', `Bearer ${token}`).set('If-Match', ifMatch).set('Content-Type', 'application/json').send(JSON.stringify(body));
}

/**
 * The comment routes, store by store, from the first statement or command to the last. SQL: a create is one
 * INSERT (the foreign keys refuse a post or author that is gone), a read joins each comment to its author, and
 * a page reads whether its post exists beside it. MongoDB: a create reads the post's author, inserts, then
 * reads the post and the author again side by side (no foreign keys); a page reads its post and the comments
 * side by side, then the page's authors in one command. Commands sent side by side may leave in either order.
 */
type CommentRequest = 'POST /posts/:id/comments' | 'GET /posts/:id/comments' | 'GET /posts/:id/comments/:commentId' | 'DELETE /posts/:id/comments/:commentId';

const commentCalls: Record<CommentRequest, Record<StoreName, string[]>> = {
  'POST /posts/:id/comments': {
    sqlite: ['SELECT', 'INSERT INTO comments'],
    postgres: ['SELECT', 'INSERT INTO comments'],
    mysql: ['SELECT', 'INSERT INTO comments'],
    mongodb: ['find sessions', 'find posts', 'insert comments', 'find posts', 'find users'],
  },
  'GET /posts/:id/comments': {
    sqlite: ['SELECT', 'SELECT'],
    postgres: ['SELECT', 'SELECT'],
    mysql: ['SELECT', 'SELECT'],
    mongodb: ['find posts', 'find comments', 'find users'],
  },
  'GET /posts/:id/comments/:commentId': {
    sqlite: ['SELECT'],
    postgres: ['SELECT'],
    mysql: ['SELECT'],
    mongodb: ['find comments', 'find posts', 'find users'],
  },
  'DELETE /posts/:id/comments/:commentId': {
    sqlite: ['SELECT', 'DELETE FROM comments'],
    postgres: ['SELECT', 'DELETE FROM comments'],
    mysql: ['SELECT', 'DELETE FROM comments'],
    mongodb: ['find sessions', 'delete comments'],
  },
};

describeEachStore('store calls of comment requests', (context) => {
  const http = api(context);
  let calls: StoreCalls;
  let token: string;
  let postId: string;
  let commentId: string;

  beforeAll(() => {
    calls = recordStoreCalls(context.name);
  });
  afterAll(() => calls.restore());

  beforeEach(async () => {
    ({ token } = await http.signUp());
    const other = await http.signUp();
    postId = (await http.post('/posts', { title: 'Commented', content: 'Post' }, token)).body.id;
    // Warm, as above; and a page of 20 comments by two authors, so that a page's cost shows it does not grow with it.
    for (let i = 0; i < 10; i += 1) {
      await http.post(`/posts/${postId}/comments`, { content: `Mine ${i}` }, token);
      commentId = (await http.post(`/posts/${postId}/comments`, { content: `Theirs ${i}` }, other.token)).body.id;
      await http.get(`/posts/${postId}/comments/${commentId}`);
      await http.get(`/posts/${postId}/comments?limit=1`);
    }
  });

  const requests: [CommentRequest, () => Promise<{ status: number; body: unknown }>, number][] = [
    ['POST /posts/:id/comments', () => http.post(`/posts/${postId}/comments`, { content: 'Counted' }, token), 201],
    ['GET /posts/:id/comments', () => http.get(`/posts/${postId}/comments`), 200],
    ['GET /posts/:id/comments/:commentId', () => http.get(`/posts/${postId}/comments/${commentId}`), 200],
    // The post's author deletes another's comment: still one statement or command.
    ['DELETE /posts/:id/comments/:commentId', () => http.delete(`/posts/${postId}/comments/${commentId}`, token), 204],
  ];

  it.each(requests)('when %s succeeds, then the store is called a fixed number of times, whatever the page holds', async (name, request, status) => {
    calls.start();
    const response = await request();
    const sent = calls.sent();
    expect(response.status).toBe(status);
    if (name === 'GET /posts/:id/comments') expect((response.body as { items: unknown[] }).items).toHaveLength(20);
    expect([...sent].sort()).toEqual([...commentCalls[name][context.name]].sort());
    expect(storeCalls(sent)).toBe(commentCalls[name][context.name].length);
  });
});

/**
 * The feed, with a page of 20 posts by three followed authors. SQL: the session, then one statement (the posts
 * whose author the caller follows, by a semi-join on follows). MongoDB: the session, the caller's followees,
 * then the posts by one `$in` of them; following nobody, no posts are asked for.
 */
type FeedRequest = 'GET /feed' | 'GET /feed, next page by cursor' | 'GET /feed, following nobody';

const feedCalls: Record<FeedRequest, Record<StoreName, string[]>> = {
  // And, for a page that holds posts, the caller's favorited flags of the whole page.
  'GET /feed': {
    sqlite: ['SELECT', 'SELECT', 'SELECT'],
    postgres: ['SELECT', 'SELECT', 'SELECT'],
    mysql: ['SELECT', 'SELECT', 'SELECT'],
    mongodb: ['find sessions', 'find follows', 'find posts', 'find favorites'],
  },
  'GET /feed, next page by cursor': {
    sqlite: ['SELECT', 'SELECT', 'SELECT'],
    postgres: ['SELECT', 'SELECT', 'SELECT'],
    mysql: ['SELECT', 'SELECT', 'SELECT'],
    mongodb: ['find sessions', 'find follows', 'find posts', 'find favorites'],
  },
  'GET /feed, following nobody': { sqlite: ['SELECT', 'SELECT'], postgres: ['SELECT', 'SELECT'], mysql: ['SELECT', 'SELECT'], mongodb: ['find sessions', 'find follows'] },
};

describeEachStore('store calls of the feed', (context) => {
  const http = api(context);
  let calls: StoreCalls;
  let reader: SignedUp;
  let loner: SignedUp;
  let cursor: string;

  beforeAll(() => {
    calls = recordStoreCalls(context.name);
  });
  afterAll(() => calls.restore());

  beforeEach(async () => {
    [reader, loner] = [await http.signUp(), await http.signUp()];
    for (let a = 0; a < 3; a += 1) {
      const author = await http.signUp();
      for (let i = 0; i < 8; i += 1) expect((await http.post('/posts', { title: `Post ${a}.${i}`, content: 'Feed' }, author.token)).status).toBe(201);
      expect((await http.put(`/users/me/following/${author.user.id}`, reader.token)).status).toBe(204);
    }
    // Warm, as above.
    for (let i = 0; i < 3; i += 1) {
      cursor = (await http.get('/feed', reader.token)).body.nextCursor;
      await http.get(`/feed?cursor=${cursor}`, reader.token);
      await http.get('/feed', loner.token);
    }
  });

  const requests: [FeedRequest, () => Promise<{ status: number; body: { items: unknown[] } }>, number][] = [
    ['GET /feed', () => http.get('/feed', reader.token), 20],
    ['GET /feed, next page by cursor', () => http.get(`/feed?limit=2&cursor=${cursor}`, reader.token), 2],
    ['GET /feed, following nobody', () => http.get('/feed', loner.token), 0],
  ];

  it.each(requests)('when %s succeeds, then the store is called as pinned, whatever the page holds', async (name, request, items) => {
    calls.start();
    const response = await request();
    const sent = calls.sent();
    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(items);
    expect(sent).toEqual(feedCalls[name][context.name]);
    expect(storeCalls(sent)).toBe(feedCalls[name][context.name].length);
  });
});
