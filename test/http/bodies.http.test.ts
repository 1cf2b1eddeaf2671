import type { Server } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Test } from 'supertest';
import { createApp } from '../../src/app';
import { maxBodyDepth, maxBodyFields } from '../../src/http/json-body';
import { maxFieldErrors } from '../../src/http/validation';
import { createServer } from '../../src/http/server';
import { api, checked, publicView, testAppOptions } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { aSignUp, emoji } from '../support/factories';

/** Longer than any answer takes here, shorter than the test timeout: silence is a failure, not a hang. */
const silenceMs = 10_000;

/** `depth` arrays, one inside the other. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describeEachStore('request bodies HTTP API', (context) => {
  const http = api(context);
  const countUsers = async () => (await http.get('/users?count=true')).body.total;
  const countPosts = async () => (await http.get('/posts?count=true')).body.total;
  const sendJson = (test: Test, body: string | Buffer, token?: string) => {
    if (token !== undefined) test.set('Authorization', `Bearer ${token}`);
    // superagent would otherwise send a Buffer under a JSON type as JSON: {"type":"Buffer","data":[...]}.
    return checked(test.set('Content-Type', 'application/json').serialize((bytes: unknown) => bytes as string).send(body));
  };

  it.each(['application/merge-patch+json', 'application/vnd.api+json', 'application/problem+json'])(
    'when a body is sent as %s, then 415 and nothing is stored or changed',
    async (type) => {
      const created = await checked(http.raw().post('/users').set('Content-Type', type).send(JSON.stringify(aSignUp())));
      expect(created.status).toBe(415);
      expect(created.body.detail).toBe('request body must be application/json');
      expect(await countUsers()).toBe(0);

      const { user, token } = await http.signUp();
      const changed = await checked(
        http.raw().patch(`/users/${user.id}`).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send('{"displayName":"Changed"}'),
      );
      expect(changed.status).toBe(415);
      expect((await http.get(`/users/${user.id}`)).body).toEqual(publicView(user));
    },
  );

  describe('a limit per route', () => {
    const padded = (body: object, bytes: number) => {
      const json = JSON.stringify(body);
      return `${json.slice(0, -1)}${' '.repeat(bytes - json.length)}}`;
    };

    it('when a login is over 16 KB or a sign-up over 64 KB, then 413 names the limit and no user is made', async () => {
      const login = await sendJson(http.raw().post('/auth/login'), padded({ email: 'ada@example.com', password: 'a long enough password' }, 16 * 1024 + 1));
      expect(login.status).toBe(413);
      expect(login.body.detail).toBe('request body is larger than 16 KB');
      const signUp = await sendJson(http.raw().post('/users'), padded(aSignUp(), 64 * 1024 + 1));
      expect(signUp.status).toBe(413);
      expect(signUp.body.detail).toBe('request body is larger than 64 KB');
      expect(await countUsers()).toBe(0);
      expect((await sendJson(http.raw().post('/users'), padded(aSignUp(), 64 * 1024))).status).toBe(201);
    });

    it('when the longest valid sign-up is sent with every character escaped, then it fits the limit and is taken', async () => {
      // Every UTF-16 unit as \\uXXXX (an emoji is two): the largest a valid body can be written.
      const escape = (text: string) => Array.from({ length: text.length }, (_, i) => `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
      const escaped = (body: Record<string, string>) => `{${Object.entries(body).map(([key, value]) => `"${escape(key)}":"${escape(value)}"`).join(',')}}`;
      const longest = {
        email: `${'é'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(57)}.com`,
        username: 'u'.repeat(32),
        displayName: emoji(100),
        bio: '🦉'.repeat(1_000),
        image: `https://example.com/${'i'.repeat(2_048 - 'https://example.com/'.length)}`,
        password: emoji(256),
      };
      const body = escaped(longest);
      expect(body.length).toBeGreaterThan(16 * 1024);
      expect(body.length).toBeLessThan(64 * 1024);
      const created = await sendJson(http.raw().post('/users'), body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ bio: longest.bio, image: longest.image });
    });

    it('when a PATCH of a user is over 64 KB, then 413 and the user is unchanged', async () => {
      const { user, token } = await http.signUp();
      const response = await sendJson(http.raw().patch(`/users/${user.id}`), padded({ displayName: 'Changed' }, 64 * 1024 + 1), token);
      expect(response.status).toBe(413);
      expect(response.body.detail).toBe('request body is larger than 64 KB');
      expect((await http.get('/users/me', token)).body).toEqual(user);
    });

    it('when a post is over 16 KB, then it is stored; over 1 MB, then 413 names 1 MB and nothing is stored', async () => {
      const { token } = await http.signUp();
      expect((await sendJson(http.raw().post('/posts'), padded({ title: 'Long', content: 'x'.repeat(50_000) }, 64 * 1024), token)).status).toBe(201);
      const response = await sendJson(http.raw().post('/posts'), padded({ title: 'Too long', content: 'x' }, 1024 * 1024 + 1), token);
      expect(response.status).toBe(413);
      expect(response.body.detail).toBe('request body is larger than 1 MB');
      expect(await countPosts()).toBe(1);
    });

    it('when a gzip body inflates past the limit, then 413 and nothing is stored', async () => {
      // 10 MB of spaces compress to about 10 KB: the limit holds the inflated size.
      const bomb = (json: string) => gzipSync(Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.alloc(10 * 1024 * 1024, ' '), Buffer.from('}')]));
      const signUp = await sendJson(http.raw().post('/users').set('Content-Encoding', 'gzip'), bomb(JSON.stringify(aSignUp())));
      expect(signUp.status).toBe(413);
      expect(signUp.body.detail).toBe('request body is larger than 64 KB');

      const { token } = await http.signUp();
      const post = await sendJson(http.raw().post('/posts').set('Content-Encoding', 'gzip'), bomb('{"title":"t","content":"c"}'), token);
      expect(post.status).toBe(413);
      expect(post.body.detail).toBe('request body is larger than 1 MB');
      expect(await countPosts()).toBe(0);
      expect(await countUsers()).toBe(1);
    });

    it('when a gzip body inflates within the limit, then it is read', async () => {
      const response = await sendJson(http.raw().post('/users').set('Content-Encoding', 'gzip'), gzipSync(JSON.stringify(aSignUp())));
      expect(response.status).toBe(201);
    });
  });

  describe('nesting', () => {
    it(`when a field nests deeper than ${maxBodyDepth} levels, then 400 names the field, and nothing is stored`, async () => {
      const { token } = await http.signUp();
      for (const field of ['tags', 'title', 'unknown']) {
        const body = `{"title":"t","content":"c","${field}":${nested(maxBodyDepth)}}`;
        const response = await sendJson(http.raw().post('/posts'), body, token);
        expect(response.status).toBe(400);
        expect(response.body.detail).toBe(`request body is invalid: ${field} is nested deeper than ${maxBodyDepth} levels`);
        expect(response.body.errors).toEqual([{ field, message: `${field} is nested deeper than ${maxBodyDepth} levels` }]);
      }
      expect(await countPosts()).toBe(0);
    });

    it(`when a field nests ${maxBodyDepth - 1} levels, then the field rules answer, and brackets inside strings do not count`, async () => {
      const { token } = await http.signUp();
      const deep = await sendJson(http.raw().post('/posts'), `{"title":"t","content":"c","tags":${nested(maxBodyDepth - 1)}}`, token);
      expect(deep.status).toBe(400);
      expect(deep.body.errors).toEqual([{ field: 'tags', message: expect.not.stringMatching(/nested/) }]);

      const brackets = `${'['.repeat(100)}\\"{{${'{'.repeat(100)}`;
      const stored = await sendJson(http.raw().post('/posts'), `{"title":"${brackets}","content":"c"}`, token);
      expect(stored.status).toBe(201);
      expect(stored.body.title).toBe(brackets.replace('\\"', '"'));
    });

    it('when the whole body is a deep array, then 400 says the body is nested too deep, and a long key is cut short', async () => {
      const deep = await sendJson(http.raw().post('/users'), nested(5_000));
      expect(deep.status).toBe(400);
      expect(deep.body).toMatchObject({ detail: `request body is nested deeper than ${maxBodyDepth} levels` });
      expect(deep.body.errors).toBeUndefined();

      const key = 'k'.repeat(1_000);
      const long = await sendJson(http.raw().post('/users'), `{"${key}":${nested(maxBodyDepth)}}`);
      expect(long.status).toBe(400);
      expect(long.body.errors).toEqual([{ field: `${'k'.repeat(64)}…`, message: expect.any(String) }]);
      expect(await countUsers()).toBe(0);
    });
  });

  describe('field errors', () => {
    const unknownFields = (count: number) => JSON.stringify({ title: 't', content: 'c', ...Object.fromEntries(Array.from({ length: count }, (_, n) => [`k${n}`, { n }])) });

    it(`when a body has ${maxBodyFields - 2} unknown fields, then the problem names the first ${maxFieldErrors} and says how many more, and nothing is stored`, async () => {
      const { token } = await http.signUp();
      const response = await sendJson(http.raw().post('/posts'), unknownFields(maxBodyFields - 2), token);
      expect(response.status).toBe(400);
      expect(response.body.errors).toHaveLength(maxFieldErrors);
      expect(response.body.errors[0]).toEqual({ field: 'k0', message: 'k0 is not a known field' });
      expect(response.body.detail).toMatch(new RegExp(`^request body is invalid: k0 is not a known field; .*k9 is not a known field; and ${maxBodyFields - 12} more$`));
      expect(response.text.length).toBeLessThan(2_000);
      expect(await countPosts()).toBe(0);
    });

    it(`when a body has more than ${maxBodyFields} fields, then 400 says so before it is parsed, and nothing is stored`, async () => {
      const { token } = await http.signUp();
      for (const count of [maxBodyFields - 1, 30_000]) {
        const response = await sendJson(http.raw().post('/posts'), unknownFields(count), token);
        expect(response.status).toBe(400);
        expect(response.body).toEqual(expect.objectContaining({ detail: `request body has more than ${maxBodyFields} fields` }));
        expect(response.body.errors).toBeUndefined();
      }
      expect(await countPosts()).toBe(0);
    });

    it('when an unknown field has a long name, then the problem cuts it short', async () => {
      const name = `${'é'.repeat(63)}😀😀${'x'.repeat(10_000)}`;
      const response = await checked(http.raw().post('/users').set('Content-Type', 'application/json').send(JSON.stringify({ ...aSignUp(), [name]: 1 })));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: `${'é'.repeat(63)}😀…`, message: `${'é'.repeat(63)}😀… is not a known field` }]);
    });

    it('when a query has many unknown parameters, then the problem names the first few', async () => {
      const query = Array.from({ length: 50 }, (_, n) => `p${n}=1`).join('&');
      const response = await http.get(`/posts?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.errors).toHaveLength(maxFieldErrors);
      expect(response.body.detail).toMatch(/; and 40 more$/);
    });
  });

  describe('a body is read only once the route accepts the request', () => {
    it('when an anonymous POST /posts has a malformed body, then 401, not 400', async () => {
      const response = await sendJson(http.raw().post('/posts'), '{"title":');
      expect(response.status).toBe(401);
    });
  });

  describe('on the wire', () => {
    let server: Server;
    let port: number;

    beforeAll(async () => {
      server = createServer(createApp(context.store, testAppOptions));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    interface Answer {
      status: number;
      headers: Record<string, string>;
      body: string;
    }

    /** A connection that reads answers as they come, and says when the server closes it. */
    const connection = () => {
      const socket: Socket = connect(port, '127.0.0.1');
      let received = Buffer.alloc(0);
      let closed = false;
      const waiting: (() => void)[] = [];
      const wake = () => waiting.splice(0).forEach((resume) => resume());
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        wake();
      });
      socket.on('error', () => {}); // a reset while the client still writes: what arrived is judged
      socket.on('close', () => {
        closed = true;
        wake();
      });
      const until = async (done: () => boolean) => {
        const deadline = Date.now() + silenceMs;
        while (!done()) {
          if (Date.now() > deadline) throw new Error(`the server neither answered nor closed within ${silenceMs} ms`);
          await new Promise<void>((resume) => {
            waiting.push(resume);
            setTimeout(resume, 100);
          });
        }
      };
      return {
        write: (bytes: string | Buffer) => socket.write(bytes),
        /** The next whole answer. */
        answer: async (): Promise<Answer> => {
          let answer: Answer | undefined;
          await until(() => {
            const end = received.indexOf('\r\n\r\n');
            if (end < 0) return closed;
            const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
            const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
            const length = Number(headers['content-length'] ?? 0);
            if (received.length < end + 4 + length) return closed;
            answer = { status: Number(statusLine!.split(' ')[1]), headers, body: received.subarray(end + 4, end + 4 + length).toString() };
            received = received.subarray(end + 4 + length);
            return true;
          });
          if (answer === undefined) throw new Error('the server closed the connection without a whole answer');
          return answer;
        },
        closedByServer: () => until(() => closed),
        destroy: () => socket.destroy(),
      };
    };

    const head = (request: string, length: number, headers = '') =>
      `${request} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${headers}\r\n`;

    it.each([
      ['an unknown path', 'POST /no/such/path', 404],
      ['a method the path does not take', 'PUT /posts', 405],
      ['an anonymous write', 'POST /posts', 401],
      ['a sign-up over its limit', 'POST /users', 413],
    ])('when %s is sent 1 MB of nested arrays, then it is answered before the body arrives, and the connection is closed', async (_case, request, status) => {
      const size = 1024 * 1024;
      const client = connection();
      try {
        // Only the first bytes are ever sent: an answer now shows the body was not waited for, let alone parsed.
        client.write(head(request, size) + nested(size / 2).slice(0, 4096));
        const answer = await client.answer();
        expect(answer.status).toBe(status);
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.headers.connection).toBe('close');
        await client.closedByServer();
      } finally {
        client.destroy();
      }
    });

    it('when an unknown path is sent a small body, then the body is read off and the connection serves the next request', async () => {
      const client = connection();
      try {
        const body = nested(1024);
        client.write(head('POST /no/such/path', body.length) + body);
        const answer = await client.answer();
        expect(answer.status).toBe(404);
        expect(answer.headers.connection).not.toBe('close');

        client.write('GET /users HTTP/1.1\r\nHost: localhost\r\n\r\n');
        const next = await client.answer();
        expect(next.status).toBe(200);
        expect(JSON.parse(next.body)).toMatchObject({ items: [] });
      } finally {
        client.destroy();
      }
    });

    it('when a large body is read in full, then the connection stays open', async () => {
      const { token } = await http.signUp();
      const body = JSON.stringify({ title: 'Large', content: 'x'.repeat(100_000) });
      const client = connection();
      try {
        client.write(head('POST /posts', Buffer.byteLength(body), `Authorization: Bearer ${token}\r\n`) + body);
        const answer = await client.answer();
        expect(answer.status).toBe(201);
        expect(answer.headers.connection).not.toBe('close');
        client.write('GET /users HTTP/1.1\r\nHost: localhost\r\n\r\n');
        expect((await client.answer()).status).toBe(200);
      } finally {
        client.destroy();
      }
    });
  });
});
