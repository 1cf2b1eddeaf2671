import type { RateLimit } from '../../src/http/rate-limits';
import { deepSkip } from '../../src/http/rate-limits';
import { api, checked } from '../support/api';
import { describeEachStore } from '../support/each-store';

/** Behind one trusted proxy, X-Forwarded-For names the client; the addresses are documentation ones, only ever in a header. */
describeEachStore('read and write rate limits HTTP API', (context) => {
  const rule: RateLimit = { limit: 3, windowMs: 60_000 };
  // Each test builds its own app, so its counts start from zero.
  const limited = () => api(context, { expensiveReadLimit: rule, writeLimit: rule, trustProxyHops: 1 });
  const read = (http: ReturnType<typeof api>, address: string, path: string, token?: string) => {
    const test = http.raw().get(path).set('X-Forwarded-For', address);
    if (token !== undefined) test.set('Authorization', `Bearer ${token}`);
    return checked(test);
  };
  const expectRefused = (response: { status: number; headers: Record<string, string>; body: { detail: string } }, detail: RegExp) => {
    expect(response.status).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(response.headers['ratelimit-policy']).toMatch(/^"[a-z-]+"; q=3; w=60; pk=:[\w+/=]+:$/);
    expect(response.headers.ratelimit).toMatch(/^"[a-z-]+"; r=0; t=\d+$/);
    expect(response.body.detail).toMatch(detail);
  };

  describe('expensive reads, per client address', () => {
    it('when one address searches, counts and skips deep past the limit, then 429 with Retry-After and RateLimit headers; cheap reads and other addresses still serve', async () => {
      const http = limited();
      const { user } = await http.signUp();
      const first = await read(http, '192.0.2.1', '/posts?q=engine');
      expect(first.status).toBe(200);
      // The partition key (pk) is a hash of what is counted: here the address.
      expect(first.headers['ratelimit-policy']).toMatch(/^"expensive-read-address"; q=3; w=60; pk=:[\w+/=]+:$/);
      expect(first.headers.ratelimit).toMatch(/^"expensive-read-address"; r=2; t=\d+$/);
      expect((await read(http, '192.0.2.1', `/users/${user.id}/posts?count=true`)).status).toBe(200);
      expect((await read(http, '192.0.2.1', `/users?skip=${deepSkip}`)).status).toBe(200);

      for (const path of ['/posts?q=engine', '/posts?count=true', `/posts?skip=${deepSkip}`, `/users/${user.id}/posts?q=x`, '/users?count=true']) {
        expectRefused(await read(http, '192.0.2.1', path), /^too many searches, totals or deep skips from this address/);
      }
      for (const path of ['/posts', `/posts?skip=${deepSkip - 1}`, '/posts?count=false', `/users/${user.id}/posts`, '/users', '/tags', `/posts/${user.id}`]) {
        const response = await read(http, '192.0.2.1', path);
        expect(response.status).not.toBe(429);
        expect(response.headers.ratelimit).toBeUndefined();
      }
      expect((await read(http, '192.0.2.2', '/posts?q=engine')).status).toBe(200);
    });

    it('when a signed-in reader searches, then the search counts against their address, not their account', async () => {
      const http = limited();
      const { token } = await http.signUp();
      for (let n = 0; n < 3; n++) expect((await read(http, '192.0.2.3', '/posts?q=x', token)).status).toBe(200);
      expectRefused(await read(http, '192.0.2.3', '/posts?q=x', token), /from this address/);
      expect((await read(http, '192.0.2.4', '/posts?q=x', token)).status).toBe(200);
    });

    it('when a malformed search is refused with 400, then it still counts', async () => {
      const http = limited();
      for (let n = 0; n < 3; n++) expect((await read(http, '192.0.2.5', `/posts?q=${'x'.repeat(101)}`)).status).toBe(400);
      expectRefused(await read(http, '192.0.2.5', '/posts?q=x'), /from this address/);
    });
  });

  describe('writes, per signed-in user', () => {
    const write = (http: ReturnType<typeof api>, address: string, method: 'post' | 'patch' | 'delete', path: string, token: string, body?: object) => {
      const test = http.raw()[method](path).set('X-Forwarded-For', address).set('Authorization', `Bearer ${token}`);
      return checked(body === undefined ? test : test.set('Content-Type', 'application/json').send(JSON.stringify(body)));
    };

    it('when one user creates, changes and deletes past the limit, from any address, then 429 with Retry-After and nothing is written; another user still writes', async () => {
      const http = limited();
      const ada = await http.signUp();
      const created = await write(http, '192.0.2.10', 'post', '/posts', ada.token, { title: 'First', content: 'c' });
      expect(created.status).toBe(201);
      expect(created.headers['ratelimit-policy']).toMatch(/^"write-user"; q=3; w=60; pk=:[\w+/=]+:$/);
      expect(created.headers.ratelimit).toMatch(/^"write-user"; r=2; t=\d+$/);
      const post = created.body;
      expect((await write(http, '192.0.2.11', 'patch', `/posts/${post.id}`, ada.token, { title: 'Second' })).status).toBe(200);
      expect((await write(http, '192.0.2.12', 'patch', `/users/${ada.user.id}`, ada.token, { displayName: 'Ada' })).status).toBe(200);

      const changed = (await http.get(`/posts/${post.id}`)).body;
      const user = (await http.get('/users/me', ada.token)).body;
      expectRefused(await write(http, '192.0.2.13', 'post', '/posts', ada.token, { title: 'Third', content: 'c' }), /^too many writes by this user/);
      expectRefused(await write(http, '192.0.2.13', 'patch', `/posts/${post.id}`, ada.token, { title: 'Fourth' }), /by this user/);
      expectRefused(await write(http, '192.0.2.13', 'delete', `/posts/${post.id}`, ada.token), /by this user/);
      expectRefused(await write(http, '192.0.2.13', 'patch', `/users/${ada.user.id}`, ada.token, { displayName: 'Augusta' }), /by this user/);
      expectRefused(await write(http, '192.0.2.13', 'delete', `/users/${ada.user.id}`, ada.token), /by this user/);
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(changed);
      expect((await http.get('/users/me', ada.token)).body).toEqual(user);
      expect((await http.get('/posts?count=true')).body.total).toBe(1);

      const grace = await http.signUp();
      expect((await write(http, '192.0.2.13', 'post', '/posts', grace.token, { title: 'Hers', content: 'c' })).status).toBe(201);
    });

    it('when a write past the limit carries a malformed body, then 429: the body is not read', async () => {
      const http = limited();
      const { token } = await http.signUp();
      for (let n = 0; n < 3; n++) expect((await write(http, '192.0.2.20', 'post', '/posts', token, { title: `Post ${n}`, content: 'c' })).status).toBe(201);
      const refused = await checked(
        http.raw().post('/posts').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/json').send('{"title":'),
      );
      expectRefused(refused, /by this user/);
    });

    it('when writes are refused with 403 or 404, then they count too', async () => {
      const http = limited();
      const author = await http.signUp();
      const other = await http.signUp();
      const post = (await http.post('/posts', { title: 'Hers', content: 'c' }, author.token)).body;
      expect((await write(http, '192.0.2.30', 'patch', `/posts/${post.id}`, other.token, { title: 'Mine' })).status).toBe(403);
      expect((await write(http, '192.0.2.30', 'delete', `/posts/${post.id}`, other.token)).status).toBe(403);
      expect((await write(http, '192.0.2.30', 'delete', '/posts/999999', other.token)).status).toBe(404);
      expectRefused(await write(http, '192.0.2.30', 'delete', `/posts/${post.id}`, other.token), /by this user/);
    });
  });
});
