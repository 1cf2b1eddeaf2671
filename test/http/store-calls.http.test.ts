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
  'DELETE /posts/:id': {
    sqlite: ['DELETE FROM posts'],
    postgres: ['DELETE FROM posts'],
    mysql: ['DELETE FROM posts'],
    mongodb: ['delete posts'],
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

  it.each(requests)('when %s succeeds, then the store is called once to authenticate, and a write once more (on MongoDB twice for a new post or a profile)', async (name, request, status) => {
    const { status: answered, sent } = await recorded(request);
    expect(answered).toBe(status);
    expect(sent).toEqual([...session[context.name], ...writes[name][context.name]]);
    const twiceOnMongoDb = name.startsWith('POST') || name.startsWith('PATCH /users');
    const expected = name === 'GET /users/me' ? 1 : context.name === 'mongodb' && twiceOnMongoDb ? 3 : 2;
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

function checkedPatch(test: import('supertest').Test, token: string, body: unknown, ifMatch: string) {
  return test.set('Authorization', `Bearer ${token}`).set('If-Match', ifMatch).set('Content-Type', 'application/json').send(JSON.stringify(body));
}
