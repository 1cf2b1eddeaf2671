import { gzipSync } from 'node:zlib';
import type { Response, Test } from 'supertest';
import { describeEachStore } from '../support/each-store';
import { api, checked, publicView } from '../support/api';
import { aSignUp } from '../support/factories';

describeEachStore('HTTP protocol errors', (context) => {
  const http = api(context);
  const countUsers = async () => (await http.get('/users?count=true')).body.total;

  it('when the JSON is malformed, then 400 and nothing is stored', async () => {
    const response = await checked(http.raw().post('/users').set('Content-Type', 'application/json').send('{"email": "a@b.c",'));
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('request body is not valid JSON');
    expect(await countUsers()).toBe(0);
  });

  it.each([
    ['an array', []],
    ['a string', 'user'],
    ['null', null],
  ])('when the JSON body is %s, then 400', async (_case, body) => {
    const response = await checked(http.raw().post('/users').set('Content-Type', 'application/json').send(JSON.stringify(body)));
    expect(response.status).toBe(400);
  });

  it.each(['/users', '/auth/login'])('when a field of %s holds arrays nested thousands deep, then 400 and nothing is stored', async (path) => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    for (const field of ['email', 'password', 'unknown']) {
      const body = `{"email":"deep@example.com","password":"long enough password","${field}":${deep}}`;
      const response = await checked(http.raw().post(path).set('Content-Type', 'application/json').send(body));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
    }
    expect(await countUsers()).toBe(0);
  });

  it('when the body is over 1 MB, then 413 and nothing is stored', async () => {
    const body = JSON.stringify({ ...aSignUp(), displayName: 'x'.repeat(1024 * 1024) });
    const response = await checked(http.raw().post('/users').set('Content-Type', 'application/json').send(body));
    expect(response.status).toBe(413);
    expect(await countUsers()).toBe(0);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', undefined])('when POST /users has content type %s, then 415', async (type) => {
    const test = http.raw().post('/users');
    if (type) test.set('Content-Type', type);
    const response = await checked(type ? test.send(JSON.stringify(aSignUp())) : test);
    expect(response.status).toBe(415);
    expect(await countUsers()).toBe(0);
  });

  it('when PATCH by the user has content type text/plain, then 415 and nothing changes', async () => {
    const { user, token } = await http.signUp();
    const response = await checked(
      http.raw().patch(`/users/${user.id}`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'text/plain').send('{"displayName":"x"}'),
    );
    expect(response.status).toBe(415);
    expect((await http.get(`/users/${user.id}`)).body).toEqual(publicView(user));
  });

  describe('request bytes', () => {
    /** Byte sequences that are not UTF-8 (RFC 3629). */
    const invalidUtf8: [string, number[]][] = [
      ['the byte FF', [0xff]],
      ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
      ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
      ['a lone continuation byte (80)', [0x80]],
      ['a code point past U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
      ['a truncated sequence (E2 82)', [0xe2, 0x82]],
    ];
    const between = (before: string, bytes: number[], after: string) => Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
    const sendBytes = (test: Test, body: Buffer, token?: string, type = 'application/json') => {
      if (token !== undefined) test.set('Authorization', `Bearer ${token}`);
      // superagent would otherwise send a Buffer under a JSON type as JSON: {"type":"Buffer","data":[...]}.
      const asIs = (bytes: Buffer) => bytes as unknown as string;
      return checked(test.set('Content-Type', type).serialize(asIs).send(body));
    };
    const expectNotUtf8 = (response: Response) => {
      expect(response.status).toBe(400);
      expect(response.body.detail).toBe('request body is not valid UTF-8');
    };
    const countPosts = async () => (await http.get('/posts?count=true')).body.total;

    it.each(invalidUtf8)('when the title of POST /posts holds %s, then 400 and no post is stored', async (_case, bytes) => {
      const { token } = await http.signUp();
      expectNotUtf8(await sendBytes(http.raw().post('/posts'), between('{"title":"ok', bytes, ' x","content":"c"}'), token));
      expect(await countPosts()).toBe(0);
    });

    it('when the email of POST /users holds invalid UTF-8, then 400 and no user is stored', async () => {
      for (const [, bytes] of invalidUtf8) {
        const { email, ...rest } = aSignUp();
        const body = between(`{"email":"a`, bytes, `${email}",${JSON.stringify(rest).slice(1)}`);
        expectNotUtf8(await sendBytes(http.raw().post('/users'), body));
      }
      expect(await countUsers()).toBe(0);
    });

    it('when a JSON key holds invalid UTF-8, then 400 names the bytes, not the field, and no user is stored', async () => {
      for (const [, bytes] of invalidUtf8) {
        const { displayName, ...rest } = aSignUp();
        const body = between(`{"display`, bytes, `Name":${JSON.stringify(displayName)},${JSON.stringify(rest).slice(1)}`);
        expectNotUtf8(await sendBytes(http.raw().post('/users'), body));
      }
      expect(await countUsers()).toBe(0);
    });

    it.each([
      ['UTF-16 with its byte order mark', [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]],
      ['Latin-1 text', [...Buffer.from('{"title":"caf\u00e9","content":"c"}', 'latin1')]],
      ['invalid bytes alone', [0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf8, 0x88, 0x80, 0x80, 0x80]],
    ])('when the whole body is %s, then 400 and no post is stored', async (_case, bytes) => {
      const { token } = await http.signUp();
      expectNotUtf8(await sendBytes(http.raw().post('/posts'), Buffer.from(bytes), token));
      expect(await countPosts()).toBe(0);
    });

    it('when a truncated sequence ends the body after the JSON, then 400 and no post is stored', async () => {
      const { token } = await http.signUp();
      expectNotUtf8(await sendBytes(http.raw().post('/posts'), between('{"title":"t","content":"c"}', [0xe2, 0x82], ''), token));
      expect(await countPosts()).toBe(0);
    });

    it('when a gzip body inflates to invalid UTF-8, then 400 and no post is stored', async () => {
      const { token } = await http.signUp();
      const body = gzipSync(between('{"title":"ok', [0xff], '","content":"c"}'));
      expectNotUtf8(await sendBytes(http.raw().post('/posts').set('Content-Encoding', 'gzip'), body, token));
      expect(await countPosts()).toBe(0);
    });

    it('when a PATCH of a post holds invalid UTF-8, then 400 and the post is unchanged', async () => {
      const { token } = await http.signUp();
      const post = (await http.post('/posts', { title: 'Kept', content: 'Kept too' }, token)).body;
      for (const [, bytes] of invalidUtf8) {
        expectNotUtf8(await sendBytes(http.raw().patch(`/posts/${post.id}`), between('{"title":"x', bytes, '"}'), token));
      }
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(post);
    });

    it('when a PATCH of a user holds invalid UTF-8, then 400 and the user is unchanged', async () => {
      const { user, token } = await http.signUp();
      for (const [, bytes] of invalidUtf8) {
        expectNotUtf8(await sendBytes(http.raw().patch(`/users/${user.id}`), between('{"displayName":"x', bytes, '"}'), token));
      }
      expect((await http.get('/users/me', token)).body).toEqual(user);
    });

    it('when a login password holds invalid UTF-8, then 400, never a login', async () => {
      const { user, password } = await http.signUp();
      const response = await sendBytes(http.raw().post('/auth/login'), between(`{"email":"${user.email}","password":"${password}`, [0xff], '"}'));
      expectNotUtf8(response);
    });

    it('when the body is UTF-8 with characters of two, three and four bytes, U+FFFD among them, then they are stored as sent', async () => {
      const { token } = await http.signUp();
      const title = 'caf\u00e9 \u20ac \u{1F600} \uFFFD';
      const response = await sendBytes(http.raw().post('/posts'), Buffer.from(JSON.stringify({ title, content: 'c' })), token);
      expect(response.status).toBe(201);
      expect((await http.get(`/posts/${response.body.id}`)).body.title).toBe(title);
    });

    it('when the body starts with a UTF-8 byte order mark, then the mark is ignored and the post is stored', async () => {
      const { token } = await http.signUp();
      const response = await sendBytes(http.raw().post('/posts'), between('', [0xef, 0xbb, 0xbf], '{"title":"t","content":"c"}'), token);
      expect(response.status).toBe(201);
      expect((await http.get(`/posts/${response.body.id}`)).body).toMatchObject({ title: 't', content: 'c' });
    });

    it.each(['utf-16', 'utf-16le', 'UTF-16BE', 'latin1', 'utf-32', 'utf8'])('when the JSON charset is %s, then 415 and no user is stored', async (charset) => {
      const json = JSON.stringify(aSignUp());
      const body = Buffer.from(json, charset.toLowerCase().startsWith('utf-16') ? 'utf16le' : 'latin1');
      const response = await sendBytes(http.raw().post('/users'), body, undefined, `application/json; charset=${charset}`);
      expect(response.status).toBe(415);
      expect(await countUsers()).toBe(0);
    });

    it.each(['utf-8', 'UTF-8', '"utf-8"'])('when the JSON charset is %s, then the body is read', async (charset) => {
      const response = await checked(http.raw().post('/users').set('Content-Type', `application/json; charset=${charset}`).send(JSON.stringify(aSignUp())));
      expect(response.status).toBe(201);
      expect(await countUsers()).toBe(1);
    });
  });

  it('when the path is not valid percent-encoding, then 400', async () => {
    const response = await http.get('/users/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('request path is not valid percent-encoding');
  });

  it('when the body claims a compression it does not have, then 400 and nothing is stored', async () => {
    const response = await checked(
      http.raw().post('/users').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(JSON.stringify(aSignUp())),
    );
    expect(response.status).toBe(400);
    expect(await countUsers()).toBe(0);
  });

  it('when a query parameter is written as an operator, then 400 names it', async () => {
    const response = await http.get('/posts?skip[$gt]=1');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'skip[$gt]', message: 'skip[$gt] is not a known field' }]);
  });

  it('when the route is unknown, then 404 as a problem', async () => {
    const response = await http.get('/nothing/here');
    expect(response.status).toBe(404);
    expect(response.body.detail).toBe('no route for GET /nothing/here');
  });

  it('when the method is not served on a known path, then 405 with Allow', async () => {
    const response = await checked(http.raw().put('/users'));
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
  });

  it('when a request id is given, then it is echoed; otherwise one is made', async () => {
    expect((await checked(http.raw().get('/users').set('X-Request-Id', 'abc-123'))).headers['x-request-id']).toBe('abc-123');
    expect((await http.get('/users')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
