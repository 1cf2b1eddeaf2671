import { type IncomingHttpHeaders, type Server, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app';
import { createServer } from '../../src/http/server';
import { api, checked, testAppOptions } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { setStoredUpdatedAt } from '../support/stored-records';

describeEachStore('versions and conditional requests HTTP API', (context) => {
  const http = api(context);
  let token: string;
  let userId: string;
  let password: string;
  const createPost = async () => (await http.post('/posts', { title: 'Original', content: 'Original content' }, token)).body;
  const patchPost = (id: string, body: object, ifMatch?: string) => {
    const test = http.raw().patch(`/posts/${id}`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json');
    if (ifMatch !== undefined) test.set('If-Match', ifMatch);
    return checked(test.send(JSON.stringify(body)));
  };
  const deleteWith = (path: string, ifMatch: string, body?: object) => {
    const request = http.raw().delete(path).set('Authorization', `Bearer ${token}`).set('If-Match', ifMatch);
    return checked(body === undefined ? request : request.set('Content-Type', 'application/json').send(JSON.stringify(body)));
  };
  const getWith = (path: string, ifNoneMatch: string) => checked(http.raw().get(path).set('If-None-Match', ifNoneMatch));

  beforeEach(async () => {
    const signedUp = await http.signUp();
    token = signedUp.token;
    userId = signedUp.user.id;
    password = signedUp.password;
  });

  describe('ETag and If-None-Match', () => {
    it('when a post is created, read and changed, then each answer carries its version (and its favorites count) as a strong ETag', async () => {
      const created = await http.post('/posts', { title: 't', content: 'c' }, token);
      expect(created.headers.etag).toBe('"1-f0"');
      expect((await http.get(`/posts/${created.body.id}`)).headers.etag).toBe('"1-f0"');
      const changed = await patchPost(created.body.id, { title: 'u' });
      expect(changed.headers.etag).toBe('"2-f0"');
      expect(changed.body.version).toBe(2);
      expect((await http.get(`/posts/${created.body.id}`)).headers.etag).toBe('"2-f0"');
    });

    it('when a PATCH names only values equal to the stored ones, then it is applied all the same: a new version and ETag', async () => {
      const post = (await http.post('/posts', { title: 'Same', content: 'Same content', tags: ['a', 'b'] }, token)).body;
      const again = await patchPost(post.id, { title: 'Same', content: 'Same content', tags: ['B', 'a'], publicationDate: post.publicationDate });
      expect(again.status).toBe(200);
      expect(again.headers.etag).toBe('"2-f0"');
      expect(again.body).toMatchObject({ title: 'Same', content: 'Same content', tags: ['a', 'b'], publicationDate: post.publicationDate, version: 2 });
      const user = (await http.get('/users/me', token)).body;
      const unchanged = await http.patch(`/users/${userId}`, { displayName: user.displayName, username: user.username }, token);
      expect(unchanged.status).toBe(200);
      expect(unchanged.headers.etag).toBe('"2"');
      expect(unchanged.body).toEqual({ ...user, version: 2, updatedAt: expect.any(String) });
    });

    it('when a PATCH names no field, then 400 and the version stays', async () => {
      const post = await createPost();
      const empty = await patchPost(post.id, {});
      expect(empty.status).toBe(400);
      expect(empty.body.detail).toBe('request body must name at least one field');
      expect((await http.patch(`/users/${userId}`, {}, token)).status).toBe(400);
      expect((await http.get(`/posts/${post.id}`)).body.version).toBe(1);
      expect((await http.get('/users/me', token)).body.version).toBe(1);
    });

    it('when a user signs up, is read and changes, then the same holds for users', async () => {
      const signUp = await http.post('/users', { email: 'etag@example.com', username: 'etag_user', displayName: 'E', password: 'long enough password' });
      expect(signUp.headers.etag).toBe('"1"');
      expect((await http.get(`/users/${userId}`)).headers.etag).toBe('"1"');
      expect((await http.get('/users/me', token)).headers.etag).toBe('"1"');
      expect((await http.patch(`/users/${userId}`, { displayName: 'New' }, token)).headers.etag).toBe('"2"');
    });

    it.each(['"1-f0"', 'W/"1-f0"', '"9", "1-f0"', '*'])('when If-None-Match is %s and the post is at version 1, then 304 with the ETag and no body', async (tag) => {
      const post = await createPost();
      const response = await getWith(`/posts/${post.id}`, tag);
      expect(response.status).toBe(304);
      expect(response.headers.etag).toBe('"1-f0"');
      expect(response.text ?? '').toBe('');
    });

    it('when If-None-Match names an older version, then 200 with the current post', async () => {
      const post = await createPost();
      await patchPost(post.id, { title: 'Newer' });
      const response = await getWith(`/posts/${post.id}`, '"1-f0"');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ title: 'Newer', version: 2 });
    });

    it('when If-None-Match matches a user, then 304', async () => {
      expect((await getWith(`/users/${userId}`, '"1"')).status).toBe(304);
    });
  });

  describe('If-None-Match over a real connection, whatever Cache-Control says', () => {
    let server: Server;
    let origin: string;
    /** What each request arrived with, to show what the client sent. */
    const arrived: IncomingHttpHeaders[] = [];

    beforeAll(async () => {
      const app = createApp(context.store, testAppOptions);
      server = createServer((req, res) => {
        arrived.push(req.headers);
        app(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections(); // fetch() keeps its connections open for reuse
      await closed;
    });

    const nodeGet = (path: string, headers: Record<string, string>, method = 'GET') =>
      new Promise<{ status: number; etag: string | undefined; body: string }>((resolve, reject) => {
        request(`${origin}${path}`, { method, headers }, (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, etag: response.headers.etag, body }));
        })
          .on('error', reject)
          .end();
      });

    it('when fetch() sends If-None-Match naming the current version, then 304, although fetch adds Cache-Control: no-cache', async () => {
      const post = await createPost();
      for (const [path, tag] of [[`/posts/${post.id}`, '"1-f0"'], [`/users/${userId}`, '"1"']]) {
        arrived.length = 0;
        const response = await fetch(`${origin}${path}`, { headers: { 'If-None-Match': tag } });
        expect(arrived[0]['cache-control']).toBe('no-cache');
        expect(response.status).toBe(304);
        expect(response.headers.get('etag')).toBe(tag);
        expect(await response.text()).toBe('');
      }
      const me = await fetch(`${origin}/users/me`, { headers: { 'If-None-Match': 'W/"1"', Authorization: `Bearer ${token}` } });
      expect(me.status).toBe(304);
    });

    it('when fetch() sends If-None-Match naming an older version, then 200 with the current post', async () => {
      const post = await createPost();
      await patchPost(post.id, { title: 'Newer' });
      const response = await fetch(`${origin}/posts/${post.id}`, { headers: { 'If-None-Match': '"1-f0"' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ title: 'Newer', version: 2 });
    });

    it.each([
      ['Cache-Control: no-cache', { 'Cache-Control': 'no-cache' }],
      ['Cache-Control: no-cache and Pragma: no-cache', { 'Cache-Control': 'no-cache', Pragma: 'no-cache' }],
      ['Pragma: no-cache', { Pragma: 'no-cache' }],
      ['Cache-Control: max-age=0', { 'Cache-Control': 'max-age=0' }],
      ['Cache-Control: no-store', { 'Cache-Control': 'no-store' }],
      ['no Cache-Control', {}],
    ])('when node:http sends a matching If-None-Match with %s, then 304 with the ETag and no body', async (_case, headers) => {
      const post = await createPost();
      for (const tag of ['"1-f0"', 'W/"1-f0"', '"9", "1-f0"', '*']) {
        const response = await nodeGet(`/posts/${post.id}`, { ...headers, 'If-None-Match': tag });
        expect(response).toEqual({ status: 304, etag: '"1-f0"', body: '' });
        expect(await nodeGet(`/posts/${post.id}`, { ...headers, 'If-None-Match': tag }, 'HEAD')).toEqual({ status: 304, etag: '"1-f0"', body: '' });
      }
      expect((await nodeGet(`/posts/${post.id}`, { ...headers, 'If-None-Match': '"2-f0"' })).status).toBe(200);
    });
  });

  describe('If-Match', () => {
    it('when If-Match is the current version, then the change is made and answers the next one', async () => {
      const post = await createPost();
      const response = await patchPost(post.id, { title: 'Checked' }, '"1"');
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('"2-f0"');
      expect(response.body).toMatchObject({ title: 'Checked', version: 2 });
    });

    it.each([
      ['a stale version', '"1"'],
      ['a weak tag of the current version', 'W/"2"'],
      ['a tag never issued', '"abc"'],
    ])('when If-Match is %s, then 412 problem and nothing changes', async (_case, tag) => {
      const post = await createPost();
      const current = (await patchPost(post.id, { title: 'Current' })).body;
      const response = await patchPost(post.id, { title: 'Lost' }, tag);
      expect(response.status).toBe(412);
      expect(response.body.errors).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(current);
    });

    it.each(['*', '"7", "1"'])('when If-Match is %s on a post at version 1, then the change is made', async (tag) => {
      const post = await createPost();
      expect((await patchPost(post.id, { title: 'Any' }, tag)).status).toBe(200);
    });

    it.each(['1', '"1', 'abc', '"1",,', 'W/1'])('when If-Match is malformed (%s), then 400 names the header and nothing changes', async (tag) => {
      const post = await createPost();
      const response = await patchPost(post.id, { title: 'Lost' }, tag);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'If-Match', message: expect.any(String) }]);
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(post);
    });

    it('when a delete has a stale If-Match, then 412 and the post stays; with the current one, 204', async () => {
      const post = await createPost();
      await patchPost(post.id, { title: 'Current' });
      expect((await deleteWith(`/posts/${post.id}`, '"1"')).status).toBe(412);
      expect((await http.get(`/posts/${post.id}`)).status).toBe(200);
      expect((await deleteWith(`/posts/${post.id}`, '"2"')).status).toBe(204);
      expect((await http.get(`/posts/${post.id}`)).status).toBe(404);
    });

    it('when the post does not exist, then 404 whatever If-Match says', async () => {
      const post = await createPost();
      await http.delete(`/posts/${post.id}`, token);
      expect((await patchPost(post.id, { title: 'x' }, '"1"')).status).toBe(404);
      expect((await deleteWith(`/posts/${post.id}`, '"1"')).status).toBe(404);
    });

    it('when someone else sends the right If-Match, then 403 still', async () => {
      const post = await createPost();
      const other = await http.signUp();
      const response = await checked(
        http.raw().patch(`/posts/${post.id}`).set('Authorization', `Bearer ${other.token}`).set('If-Match', '"1"').set('Content-Type', 'application/json').send('{"title":"x"}'),
      );
      expect(response.status).toBe(403);
    });

    it('when a user PATCH or DELETE has a stale If-Match, then 412 and the user is unchanged', async () => {
      const current = (await http.patch(`/users/${userId}`, { displayName: 'Current' }, token)).body;
      const patch = await checked(
        http.raw().patch(`/users/${userId}`).set('Authorization', `Bearer ${token}`).set('If-Match', '"1"').set('Content-Type', 'application/json').send('{"displayName":"Lost"}'),
      );
      expect(patch.status).toBe(412);
      expect((await deleteWith(`/users/${userId}`, '"1"', { currentPassword: password })).status).toBe(412);
      expect((await http.get('/users/me', token)).body).toEqual(current);
      expect((await deleteWith(`/users/${userId}`, '"2"', { currentPassword: password })).status).toBe(204);
    });
  });

  describe('concurrent writers on one post', () => {
    it('when 50 PATCHes race with one If-Match, then exactly one wins, 49 get 412, and the stored post is the winner\'s', async () => {
      const post = await createPost();
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => patchPost(post.id, { title: `writer ${i}` }, '"1"')));

      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 412)).toHaveLength(49);
      const winner = answers.find((answer) => answer.status === 200)!.body;
      expect(winner.version).toBe(2);
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(winner);
    });

    it('when 30 PATCHes race without If-Match, half on title and half on content, then each answer is its own write and no write is lost', async () => {
      const post = await createPost();
      const writes = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? { title: `title ${i}` } : { content: `content ${i}` }));
      const answers = await Promise.all(writes.map((body) => patchPost(post.id, body)));

      for (const [i, answer] of answers.entries()) {
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject(writes[i]);
        expect(answer.headers.etag).toBe(`"${answer.body.version}-f0"`);
      }
      // Every write made exactly one version, and each answer is the state its own write made.
      const results = answers.map((answer, i) => ({ write: writes[i], body: answer.body })).sort((a, b) => a.body.version - b.body.version);
      expect(results.map(({ body }) => body.version)).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
      for (const [i, { body }] of results.entries()) {
        if (i > 0) expect(Date.parse(body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(results[i - 1].body.updatedAt));
      }
      // The final state is the last write's answer, and holds the last written value of each field.
      const final = (await http.get(`/posts/${post.id}`)).body;
      expect(final).toEqual(results.at(-1)!.body);
      expect(final.title).toBe(results.filter(({ write }) => 'title' in write).at(-1)!.write.title);
      expect(final.content).toBe(results.filter(({ write }) => 'content' in write).at(-1)!.write.content);
      expect(final.updatedAt).toBe(results.map(({ body }) => body.updatedAt).sort().at(-1));
    });
  });

  describe("updatedAt when another instance's clock ran ahead", () => {
    const anHourAhead = () => new Date(Date.now() + 60 * 60 * 1000);

    it('when a post stored an hour ahead of the clock is PATCHed, then updatedAt stays where it was and the change is made', async () => {
      const post = await createPost();
      const ahead = anHourAhead();
      await setStoredUpdatedAt(context.store, 'post', post.id, ahead);

      const patched = await patchPost(post.id, { title: 'Written later' }, '"1"');

      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ ...post, title: 'Written later', version: 2, updatedAt: ahead.toISOString() });
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(patched.body);
    });

    it('when a user stored an hour ahead of the clock is PATCHed, then updatedAt stays where it was and the change is made', async () => {
      const user = (await http.get('/users/me', token)).body;
      const ahead = anHourAhead();
      await setStoredUpdatedAt(context.store, 'user', userId, ahead);

      const patched = await http.patch(`/users/${userId}`, { displayName: 'Written later' }, token);

      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ ...user, displayName: 'Written later', version: 2, updatedAt: ahead.toISOString() });
      expect((await http.get('/users/me', token)).body).toEqual(patched.body);
    });
  });
});
