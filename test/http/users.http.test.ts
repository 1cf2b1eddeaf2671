import { api, isoMillis, publicView } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { aSignUp, emoji, malformedIds } from '../support/factories';

describeEachStore('users HTTP API', (context) => {
  const http = api(context);
  const countUsers = async () => (await http.get('/users?count=true')).body.total;

  describe('POST /users', () => {
    it('when the body is valid, then 201 with the user and a Location that reads it back', async () => {
      const response = await http.post('/users', { email: 'Ada@Example.com', username: 'Ada', displayName: 'Ada Lovelace', password: 'correct horse battery' });

      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        id: expect.any(String),
        email: 'Ada@Example.com',
        username: 'Ada',
        displayName: 'Ada Lovelace',
        createdAt: expect.stringMatching(isoMillis),
        updatedAt: response.body.createdAt,
        version: 1,
      });
      expect(response.headers.location).toBe(`/users/${response.body.id}`);
      expect((await http.get(response.headers.location)).body).toEqual(publicView(response.body));
    });

    it.each([
      ['a missing field', { ...aSignUp(), displayName: undefined }, 'displayName'],
      ['a missing password', { ...aSignUp(), password: undefined }, 'password'],
      ['a wrong type', { ...aSignUp(), displayName: 42 }, 'displayName'],
      ['null', { ...aSignUp(), email: null }, 'email'],
      ['an operator object', { ...aSignUp(), email: { $ne: null } }, 'email'],
      ['an operator as a field', { ...aSignUp(), $where: 'sleep(1000)' }, '$where'],
      ['an unknown field', { ...aSignUp(), nickname: 'x' }, 'nickname'],
      ['a prototype key', JSON.parse(`{"email":"p@example.com","username":"proto","displayName":"P","password":"long enough secret","__proto__":{"admin":true}}`), '__proto__'],
      ['an invalid email', { ...aSignUp(), email: 'not-an-email' }, 'email'],
      ['an email over 254 characters', { ...aSignUp(), email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` }, 'email'],
      ['a username too short', { ...aSignUp(), username: 'ab' }, 'username'],
      ['a username too long', { ...aSignUp(), username: 'a'.repeat(33) }, 'username'],
      ['a username with a space', { ...aSignUp(), username: 'ada lovelace' }, 'username'],
      ['a username with a non-ASCII letter', { ...aSignUp(), username: 'adà' }, 'username'],
      ['an empty displayName', { ...aSignUp(), displayName: '' }, 'displayName'],
      ['a blank displayName', { ...aSignUp(), displayName: '   ' }, 'displayName'],
      ['a displayName of 101 code points', { ...aSignUp(), displayName: emoji(101) }, 'displayName'],
      ['a U+0000 in displayName', { ...aSignUp(), displayName: 'nul\u0000byte' }, 'displayName'],
      ['a U+0000 in email', { ...aSignUp(), email: 'nul\u0000@example.com' }, 'email'],
      ['an email that lower-cases past 254 characters', { ...aSignUp(), email: `${'İ'.repeat(32)}@${Array(8).fill('İ'.repeat(15)).join('.')}.com` }, 'email'],
      ['a lone surrogate in displayName', { ...aSignUp(), displayName: 'broken \ud800 text' }, 'displayName'],
      ['a lone surrogate in the password', { ...aSignUp(), password: 'twelve chars \udc00' }, 'password'],
      ['a password of 11 characters', { ...aSignUp(), password: 'elevenchars' }, 'password'],
      ['a password of 257 characters', { ...aSignUp(), password: 'p'.repeat(257) }, 'password'],
      ['a U+0000 in the password', { ...aSignUp(), password: 'twelve chars\u0000' }, 'password'],
      ['a numeric password', { ...aSignUp(), password: 123456789012345 }, 'password'],
    ])('when the body has %s, then 400 names the field and nothing is stored', async (_case, body, field) => {
      const response = await http.post('/users', body);

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
      expect(await countUsers()).toBe(0);
    });

    it('when text and password are at their longest in code points, then they are accepted and the password works', async () => {
      const body = aSignUp({ displayName: emoji(100), username: 'u'.repeat(32), password: emoji(256) });
      const response = await http.post('/users', body);
      expect(response.status).toBe(201);
      expect(response.body.displayName).toBe(emoji(100));
      expect((await http.post('/auth/login', { email: body.email, password: body.password })).status).toBe(200);
    });

    it('when the email is taken in another case, then 409 names email and the first user is unchanged', async () => {
      const { user: first } = await http.signUp({ email: 'grace@example.com' });
      const response = await http.post('/users', aSignUp({ email: 'Grace@EXAMPLE.com' }));

      expect(response.status).toBe(409);
      expect(response.body.errors).toEqual([{ field: 'email', message: 'email is already taken' }]);
      expect((await http.get('/users')).body.items).toEqual([publicView(first)]);
    });

    it('when the username is taken in another case, then 409 names username', async () => {
      await http.signUp({ username: 'grace' });
      const response = await http.post('/users', aSignUp({ username: 'GRACE' }));
      expect(response.status).toBe(409);
      expect(response.body.errors).toEqual([{ field: 'username', message: 'username is already taken' }]);
    });
  });

  describe('GET /users', () => {
    it('when users exist, then they are listed oldest first with paging, and the total when asked', async () => {
      const users = [(await http.signUp()).user, (await http.signUp()).user, (await http.signUp()).user];

      expect((await http.get('/users')).body).toEqual({ items: users.map(publicView), limit: 20, nextCursor: null });
      expect((await http.get('/users?count=true')).body).toEqual({ items: users.map(publicView), limit: 20, nextCursor: null, total: 3 });
      const first = (await http.get('/users?limit=1')).body;
      expect(first).toEqual({ items: [publicView(users[0])], limit: 1, nextCursor: expect.any(String) });
      expect((await http.get(`/users?limit=1&cursor=${first.nextCursor}`)).body).toEqual({ items: [publicView(users[1])], limit: 1, nextCursor: expect.any(String) });
      expect((await http.get('/users?skip=1&limit=1')).body).toEqual({ items: [publicView(users[1])], limit: 1, nextCursor: expect.any(String) });
      expect((await http.get('/users?skip=3')).body).toEqual({ items: [], limit: 20, nextCursor: null });
      expect((await http.get('/users?limit=100')).body.limit).toBe(100);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=', 'limit'],
      ['limit=1e2', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['skip=-1', 'skip'],
      ['skip=99999999999', 'skip'],
      ['offset=5', 'offset'],
    ])('when the query is %s, then 400 names %s', async (query, field) => {
      const response = await http.get(`/users?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
    });

    it('when limit is not a number, then the message says what a limit is', async () => {
      expect((await http.get('/users?limit=%ZZ')).body.errors).toEqual([{ field: 'limit', message: 'limit must be a whole number from 1 to 100' }]);
    });
  });

  describe('GET /users/:id', () => {
    it('when anyone reads a user, then the email is not shown; the user alone sees it at /users/me', async () => {
      const { user, token } = await http.signUp();
      const anyone = await http.get(`/users/${user.id}`);
      expect(anyone.body).toEqual({ id: user.id, username: user.username, displayName: user.displayName, createdAt: user.createdAt, updatedAt: user.updatedAt, version: 1 });
      expect((await http.get('/users')).body.items[0]).not.toHaveProperty('email');
      expect((await http.get('/users/me', token)).body.email).toBe(user.email);
    });

    it('when the id is unknown or malformed, then 404', async () => {
      const { user: gone, token } = await http.signUp();
      await http.delete(`/users/${gone.id}`, token);
      for (const id of [gone.id, ...malformedIds(context.name).filter((id) => id !== '')]) {
        expect((await http.get(`/users/${encodeURIComponent(id)}`)).status).toBe(404);
      }
    });
  });

  describe('PATCH /users/:id', () => {
    it('when some fields are sent by the user themselves, then only they change', async () => {
      const { user, token } = await http.signUp();
      const response = await http.patch(`/users/${user.id}`, { displayName: 'Renamed' }, token);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...user, displayName: 'Renamed', updatedAt: expect.stringMatching(isoMillis), version: 2 });
      expect((await http.get(`/users/${user.id}`)).body).toEqual(publicView(response.body));
    });

    it.each([
      ['nothing to change', {}, undefined],
      ['null', { displayName: null }, 'displayName'],
      ['an invalid email', { email: 'nope' }, 'email'],
      ['a U+0000', { displayName: '\u0000' }, 'displayName'],
    ])('when the body has %s, then 400 and the user is unchanged', async (_case, body, field) => {
      const { user, token } = await http.signUp();
      const response = await http.patch(`/users/${user.id}`, body, token);

      expect(response.status).toBe(400);
      if (field) expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
      expect((await http.get(`/users/${user.id}`)).body).toEqual(publicView(user));
    });

    it('when the email belongs to another user in another case, then 409 and neither user changes', async () => {
      const { user: taken } = await http.signUp({ email: 'taken@example.com' });
      const { user, token } = await http.signUp();
      const response = await http.patch(`/users/${user.id}`, { email: 'TAKEN@example.com' }, token);

      expect(response.status).toBe(409);
      expect(response.body.errors).toEqual([{ field: 'email', message: 'email is already taken' }]);
      expect((await http.get('/users')).body.items).toEqual([taken, user].map(publicView));
    });
  });

  describe('DELETE /users/:id', () => {
    it('when a user deletes themselves, then 204, the user is gone and so are their posts and their token', async () => {
      const { user, token } = await http.signUp();
      const other = await http.signUp();
      const post = (await http.post('/posts', { title: 't', content: 'c' }, token)).body;
      const kept = (await http.post('/posts', { title: 't', content: 'c' }, other.token)).body;

      const response = await http.delete(`/users/${user.id}`, token);

      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect((await http.get(`/users/${user.id}`)).status).toBe(404);
      expect((await http.get(`/posts/${post.id}`)).status).toBe(404);
      expect((await http.get('/posts')).body.items).toEqual([kept]);
      expect((await http.get('/users/me', token)).status).toBe(401);
    });
  });

  describe('GET /users/:id/posts', () => {
    it('when the user has posts, then only theirs are listed, newest first', async () => {
      const { user, token } = await http.signUp();
      const other = await http.signUp();
      const older = (await http.post('/posts', { title: 'a', content: 'a', publicationDate: '2024-01-01T00:00:00Z' }, token)).body;
      await http.post('/posts', { title: 'b', content: 'b' }, other.token);
      const newer = (await http.post('/posts', { title: 'c', content: 'c', publicationDate: '2024-01-02T00:00:00Z' }, token)).body;

      const response = await http.get(`/users/${user.id}/posts`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [newer, older], limit: 20, nextCursor: null });
      expect((await http.get(`/users/${user.id}/posts?skip=1&limit=1&count=true`)).body).toEqual({ items: [older], limit: 1, nextCursor: null, total: 2 });
    });

    it('when the user is unknown, then 404; when the paging is bad, then 400', async () => {
      expect((await http.get('/users/abc/posts')).status).toBe(404);
      const { user } = await http.signUp();
      expect((await http.get(`/users/${user.id}/posts?limit=0`)).status).toBe(400);
    });
  });
});
