import { describeEachStore } from '../support/each-store';
import { api, isoMillis } from '../support/api';
import { aUser, emoji, malformedIds } from '../support/factories';

describeEachStore('users HTTP API', (context) => {
  const http = api(context);
  const createUser = async (overrides = {}) => (await http.post('/users', aUser(overrides))).body;
  const countUsers = async () => (await http.get('/users')).body.total;

  describe('POST /users', () => {
    it('when the body is valid, then 201 with the user and a Location that reads it back', async () => {
      const response = await http.post('/users', { email: 'Ada@Example.com', username: 'Ada', displayName: 'Ada Lovelace' });

      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({
        id: expect.any(String),
        email: 'Ada@Example.com',
        username: 'Ada',
        displayName: 'Ada Lovelace',
        createdAt: expect.stringMatching(isoMillis),
        updatedAt: response.body.createdAt,
      });
      expect(response.headers.location).toBe(`/users/${response.body.id}`);
      expect((await http.get(response.headers.location)).body).toEqual(response.body);
    });

    it.each([
      ['a missing field', { email: 'a@example.com', username: 'abc' }, 'displayName'],
      ['a wrong type', { ...aUser(), displayName: 42 }, 'displayName'],
      ['null', { ...aUser(), email: null }, 'email'],
      ['an operator object', { ...aUser(), email: { $ne: null } }, 'email'],
      ['an operator as a field', { ...aUser(), $where: 'sleep(1000)' }, '$where'],
      ['an unknown field', { ...aUser(), role: 'admin' }, 'role'],
      ['a client-chosen id', { ...aUser(), id: '1' }, 'id'],
      ['a client-chosen createdAt', { ...aUser(), createdAt: '2020-01-01T00:00:00.000Z' }, 'createdAt'],
      ['a prototype key', JSON.parse(`{"email":"p@example.com","username":"proto","displayName":"P","__proto__":{"admin":true}}`), '__proto__'],
      ['an invalid email', { ...aUser(), email: 'not-an-email' }, 'email'],
      ['an email over 254 characters', { ...aUser(), email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com` }, 'email'],
      ['a username too short', { ...aUser(), username: 'ab' }, 'username'],
      ['a username too long', { ...aUser(), username: 'a'.repeat(33) }, 'username'],
      ['a username with a space', { ...aUser(), username: 'ada lovelace' }, 'username'],
      ['a username with a non-ASCII letter', { ...aUser(), username: 'adà' }, 'username'],
      ['an empty displayName', { ...aUser(), displayName: '' }, 'displayName'],
      ['a blank displayName', { ...aUser(), displayName: '   ' }, 'displayName'],
      ['a displayName of 101 code points', { ...aUser(), displayName: emoji(101) }, 'displayName'],
      ['a U+0000 in displayName', { ...aUser(), displayName: 'nul\u0000byte' }, 'displayName'],
      ['a U+0000 in email', { ...aUser(), email: 'nul\u0000@example.com' }, 'email'],
    ])('when the body has %s, then 400 names the field and nothing is stored', async (_case, body, field) => {
      const response = await http.post('/users', body);

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
      expect(await countUsers()).toBe(0);
    });

    it('when text is at its longest in code points, then it is accepted', async () => {
      const response = await http.post('/users', aUser({ displayName: emoji(100), username: 'u'.repeat(32) }));
      expect(response.status).toBe(201);
      expect(response.body.displayName).toBe(emoji(100));
    });

    it('when the email is taken in another case, then 409 names email and the first user is unchanged', async () => {
      const first = await createUser({ email: 'grace@example.com' });
      const response = await http.post('/users', aUser({ email: 'Grace@EXAMPLE.com' }));

      expect(response.status).toBe(409);
      expect(response.body.errors).toEqual([{ field: 'email', message: 'email is already taken' }]);
      expect((await http.get('/users')).body.items).toEqual([first]);
    });

    it('when the username is taken in another case, then 409 names username', async () => {
      await createUser({ username: 'grace' });
      const response = await http.post('/users', aUser({ username: 'GRACE' }));
      expect(response.status).toBe(409);
      expect(response.body.errors).toEqual([{ field: 'username', message: 'username is already taken' }]);
    });
  });

  describe('GET /users', () => {
    it('when users exist, then they are listed oldest first with paging and the total', async () => {
      const users = [await createUser(), await createUser(), await createUser()];

      expect((await http.get('/users')).body).toEqual({ items: users, skip: 0, limit: 20, total: 3 });
      expect((await http.get('/users?skip=1&limit=1')).body).toEqual({ items: [users[1]], skip: 1, limit: 1, total: 3 });
      expect((await http.get('/users?skip=3')).body).toEqual({ items: [], skip: 3, limit: 20, total: 3 });
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
    it('when the id is unknown or malformed, then 404', async () => {
      const gone = await createUser();
      await http.delete(`/users/${gone.id}`);
      for (const id of [gone.id, ...malformedIds(context.name).filter((id) => id !== '')]) {
        expect((await http.get(`/users/${encodeURIComponent(id)}`)).status).toBe(404);
      }
    });
  });

  describe('PATCH /users/:id', () => {
    it('when some fields are sent, then only they change', async () => {
      const user = await createUser();
      const response = await http.patch(`/users/${user.id}`, { displayName: 'Renamed' });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...user, displayName: 'Renamed', updatedAt: expect.stringMatching(isoMillis) });
      expect((await http.get(`/users/${user.id}`)).body).toEqual(response.body);
    });

    it.each([
      ['nothing to change', {}, undefined],
      ['null', { displayName: null }, 'displayName'],
      ['an invalid email', { email: 'nope' }, 'email'],
      ['an id', { id: '5' }, 'id'],
      ['an updatedAt', { updatedAt: '2020-01-01T00:00:00.000Z' }, 'updatedAt'],
      ['a U+0000', { displayName: '\u0000' }, 'displayName'],
    ])('when the body has %s, then 400 and the user is unchanged', async (_case, body, field) => {
      const user = await createUser();
      const response = await http.patch(`/users/${user.id}`, body);

      expect(response.status).toBe(400);
      if (field) expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
      expect((await http.get(`/users/${user.id}`)).body).toEqual(user);
    });

    it('when the email belongs to another user in another case, then 409 and neither user changes', async () => {
      const taken = await createUser({ email: 'taken@example.com' });
      const user = await createUser();
      const response = await http.patch(`/users/${user.id}`, { email: 'TAKEN@example.com' });

      expect(response.status).toBe(409);
      expect(response.body.errors).toEqual([{ field: 'email', message: 'email is already taken' }]);
      expect((await http.get('/users')).body.items).toEqual([taken, user]);
    });

    it('when the user is unknown or the id malformed, then 404', async () => {
      expect((await http.patch('/users/abc', { displayName: 'x' })).status).toBe(404);
      const gone = await createUser();
      await http.delete(`/users/${gone.id}`);
      expect((await http.patch(`/users/${gone.id}`, { displayName: 'x' })).status).toBe(404);
    });
  });

  describe('DELETE /users/:id', () => {
    it('when a user is deleted, then 204, the user is gone and so are their posts', async () => {
      const user = await createUser();
      const other = await createUser();
      const post = (await http.post('/posts', { authorId: user.id, title: 't', content: 'c' })).body;
      const kept = (await http.post('/posts', { authorId: other.id, title: 't', content: 'c' })).body;

      const response = await http.delete(`/users/${user.id}`);

      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect((await http.get(`/users/${user.id}`)).status).toBe(404);
      expect((await http.get(`/posts/${post.id}`)).status).toBe(404);
      expect((await http.get('/posts')).body.items).toEqual([kept]);
    });

    it('when the user is unknown, then 404 and nothing else is removed', async () => {
      const user = await createUser();
      expect((await http.delete('/users/abc')).status).toBe(404);
      await http.delete(`/users/${user.id}`);
      expect((await http.delete(`/users/${user.id}`)).status).toBe(404);
    });
  });

  describe('GET /users/:id/posts', () => {
    it('when the user has posts, then only theirs are listed, newest first', async () => {
      const user = await createUser();
      const other = await createUser();
      const older = (await http.post('/posts', { authorId: user.id, title: 'a', content: 'a', publicationDate: '2024-01-01T00:00:00Z' })).body;
      await http.post('/posts', { authorId: other.id, title: 'b', content: 'b' });
      const newer = (await http.post('/posts', { authorId: user.id, title: 'c', content: 'c', publicationDate: '2024-01-02T00:00:00Z' })).body;

      const response = await http.get(`/users/${user.id}/posts`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [newer, older], skip: 0, limit: 20, total: 2 });
      expect((await http.get(`/users/${user.id}/posts?skip=1&limit=1`)).body).toEqual({ items: [older], skip: 1, limit: 1, total: 2 });
    });

    it('when the user is unknown, then 404; when the paging is bad, then 400', async () => {
      expect((await http.get('/users/abc/posts')).status).toBe(404);
      const user = await createUser();
      expect((await http.get(`/users/${user.id}/posts?limit=0`)).status).toBe(400);
    });
  });
});
