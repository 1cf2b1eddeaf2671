import { HashSlots } from '../../src/auth/hash-slots';
import type { LoginLimit } from '../../src/http/rate-limits';
import { api, checked, publicView } from '../support/api';
import { advanceDate, freezeDate } from '../support/clock';
import { describeEachStore } from '../support/each-store';
import { aSignUp } from '../support/factories';

const challenge = /^Bearer realm="dualstore"/;

describeEachStore('accounts and ownership HTTP API', (context) => {
  let clockOffsetMs = 0;
  const http = api(context, { accounts: { tokenTtlMs: 60_000, passwordHashCost: 10, now: () => new Date(Date.now() + clockOffsetMs) } });

  beforeEach(() => {
    clockOffsetMs = 0;
  });

  describe('login, tokens and logout', () => {
    it('when a user logs in with their email in any case, then a bearer token that names them in /users/me', async () => {
      const body = aSignUp({ email: 'Case@Example.com' });
      const { body: user } = await http.post('/users', body);

      const login = await http.post('/auth/login', { email: 'cASE@example.COM', password: body.password });

      expect(login.status).toBe(200);
      expect(login.headers['cache-control']).toBe('no-store');
      expect(login.body).toEqual({ accessToken: expect.stringMatching(/^[\w-]{43}$/), tokenType: 'Bearer', expiresAt: expect.any(String), user });
      const me = await http.get('/users/me', login.body.accessToken);
      expect(me.status).toBe(200);
      expect(me.body).toEqual(user);
    });

    it('when the email or the password is wrong, then the same 401 either way', async () => {
      const body = aSignUp();
      await http.post('/users', body);

      const wrongPassword = await http.post('/auth/login', { email: body.email, password: `${body.password}x` });
      const wrongEmail = await http.post('/auth/login', { email: `x${body.email}`, password: body.password });

      for (const response of [wrongPassword, wrongEmail]) {
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(challenge);
      }
      expect(wrongEmail.body).toEqual(wrongPassword.body);
    });

    it('when a password was hashed at another cost, then login still works and redoes the hash at the current cost', async () => {
      const body = aSignUp();
      await api(context, { accounts: { tokenTtlMs: 60_000, passwordHashCost: 11 } }).post('/users', body);
      expect((await context.store.users.findCredentials(body.email))?.passwordHash).toMatch(/^\$scrypt\$ln=11,/);

      expect((await http.post('/auth/login', { email: body.email, password: body.password })).status).toBe(200);

      expect((await context.store.users.findCredentials(body.email))?.passwordHash).toMatch(/^\$scrypt\$ln=10,/);
      expect((await http.post('/auth/login', { email: body.email, password: body.password })).status).toBe(200);
    });

    it('when the login body is invalid, then 400', async () => {
      for (const body of [{}, { email: 'a@b.co' }, { email: { $ne: null }, password: 'x' }, { email: 'a@b.co', password: 'x', extra: 1 }]) {
        expect((await http.post('/auth/login', body)).status).toBe(400);
      }
    });

    it('when a user logs out, then that token is refused and their other tokens still work', async () => {
      const { user, token, password } = await http.signUp();
      const other = (await http.post('/auth/login', { email: user.email, password })).body.accessToken;

      expect((await http.post('/auth/logout', undefined, token)).status).toBe(204);

      const refused = await http.get('/users/me', token);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="dualstore", error="invalid_token"');
      expect((await http.post('/auth/logout', undefined, token)).status).toBe(401);
      expect((await http.get('/users/me', other)).status).toBe(200);
    });

    it('when the token has expired, then 401', async () => {
      const { token } = await http.signUp();
      expect((await http.get('/users/me', token)).status).toBe(200);
      clockOffsetMs = 60_001;
      expect((await http.get('/users/me', token)).status).toBe(401);
      clockOffsetMs = 0;
      expect((await http.get('/users/me', token)).status).toBe(401);
    });

    it('when the token is tampered with, truncated or malformed, then 401', async () => {
      const { token } = await http.signUp();
      const flipped = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
      for (const bad of [flipped, token.slice(0, -1), `${token}A`, 'null', "' OR 1=1 --", '{"$ne":null}']) {
        expect((await http.get('/users/me', bad)).status).toBe(401);
      }
    });

    it('when the Authorization header is missing or not Bearer, then 401 with a Bearer challenge', async () => {
      const missing = await http.get('/users/me');
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer realm="dualstore"');

      const basic = await checked(http.raw().get('/users/me').set('Authorization', 'Basic YWxpY2U6c2VjcmV0'));
      expect(basic.status).toBe(401);
      expect(basic.headers['www-authenticate']).toBe('Bearer realm="dualstore", error="invalid_request"');
    });

    it('when a write needs a token and has none, then 401 and nothing changes', async () => {
      const { user, token } = await http.signUp();
      const post = (await http.post('/posts', { title: 't', content: 'c' }, token)).body;

      for (const response of [
        await http.post('/posts', { title: 't', content: 'c' }),
        await http.patch(`/posts/${post.id}`, { title: 'x' }),
        await http.delete(`/posts/${post.id}`),
        await http.patch(`/users/${user.id}`, { displayName: 'x' }),
        await http.delete(`/users/${user.id}`),
      ]) {
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(challenge);
      }
      expect((await http.get('/posts')).body.items).toEqual([post]);
      expect((await http.get(`/users/${user.id}`)).body).toEqual(publicView(user));
    });
  });

  describe('one reading of input', () => {
    // Surrounding white space is refused in every key, so no store's padding or trimming decides what it means.
    it.each([
      ['trailing spaces', 'victim@example.com   ', 400],
      ['a trailing space', 'victim@example.com ', 400],
      ['leading spaces', '  victim@example.com', 400],
      ['a trailing tab', 'victim@example.com\t', 400],
      ['a trailing no-break space', 'victim@example.com\u00a0', 400],
      ['a U+0000', 'victim@example.com\u0000', 400],
      ['full-width letters', 'ｖｉｃｔｉｍ@example.com', 401],
      ['another case', 'VICTIM@example.COM', 200],
    ])('when the email of a login has %s, %j, then %s on every store', async (_case, email, status) => {
      const body = aSignUp({ email: 'victim@example.com' });
      await http.post('/users', body);

      const response = await http.post('/auth/login', { email, password: body.password });

      expect(response.status).toBe(status);
      if (status === 400) expect(response.body.errors).toEqual([{ field: 'email', message: expect.any(String) }]);
    });

    it.each([
      ['trailing spaces', { email: 'victim@example.com   ' }, 400, 'email'],
      ['a leading space', { email: ' victim@example.com' }, 400, 'email'],
      ['a trailing tab', { email: 'victim@example.com\t' }, 400, 'email'],
      ['a U+0000', { email: 'victim@example.com\u0000' }, 400, 'email'],
      ['full-width letters', { email: 'ｖｉｃｔｉｍ@example.com' }, 201, undefined],
      ['another case', { email: 'Victim@Example.com' }, 409, 'email'],
      ['a username with a trailing space', { username: 'victim ' }, 400, 'username'],
      ['a username in another case', { username: 'VICTIM' }, 409, 'username'],
    ])('when a sign-up has %s, %j, then %s on every store', async (_case, fields, status, field) => {
      await http.post('/users', aSignUp({ email: 'victim@example.com', username: 'victim' }));

      const response = await http.post('/users', aSignUp(fields));

      expect(response.status).toBe(status);
      if (field !== undefined) expect(response.body.errors).toEqual([{ field, message: expect.any(String) }]);
      expect((await http.get('/users?count=true')).body.total).toBe(status === 201 ? 2 : 1);
    });

    it("when a sign-up takes a username and an email that are both taken, then the 409 names the username, as when the email is free", async () => {
      const owner = await http.signUp();
      const registered = await http.signUp();
      const answers = [];
      for (const email of [registered.user.email, 'unregistered@example.com']) answers.push(await http.post('/users', aSignUp({ username: owner.user.username, email })));
      for (const answer of answers) expect(answer.body.errors).toEqual([{ field: 'username', message: 'username is already taken' }]);
      expect(answers[0].text).toBe(answers[1].text);
    });
  });

  describe('password hashing in flight', () => {
    const raw = (busy: ReturnType<typeof api>, method: 'post' | 'patch' | 'delete', path: string, body: object, token?: string) => {
      const request = busy.raw()[method](path).set('Content-Type', 'application/json');
      if (token !== undefined) request.set('Authorization', `Bearer ${token}`);
      return request.send(JSON.stringify(body));
    };
    const expectBusy = (response: { status: number; headers: Record<string, string>; body: { detail?: string } }) => {
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.detail).toMatch(/busy/);
    };

    it('when one hash runs and one waits, then a third is refused with 503 and Retry-After, and the waiting one is answered once the first ends', async () => {
      const slots = new HashSlots({ concurrency: 1, queue: 1 });
      const busy = api(context, { accounts: { tokenTtlMs: 60_000, passwordHashCost: 10, hashSlots: slots } });
      const waiting = aSignUp();

      await slots.acquire();
      const queued = raw(busy, 'post', '/users', waiting).then((response) => response);
      while (slots.queued === 0) await new Promise((done) => setImmediate(done));
      const third = await raw(busy, 'post', '/users', aSignUp());
      slots.release();

      expectBusy(third);
      expect((await queued).status).toBe(201);
      expect((await busy.get('/users?count=true')).body.total).toBe(1);
      expect((await busy.post('/auth/login', { email: waiting.email, password: waiting.password })).status).toBe(200);
    });

    it('when every slot and place in the queue is taken, then sign-up, login with a known or unknown email, and every password check answer 503, and nothing changes', async () => {
      const slots = new HashSlots({ concurrency: 1, queue: 1 });
      const busy = api(context, { accounts: { tokenTtlMs: 60_000, passwordHashCost: 10, hashSlots: slots } });
      const { user, token, password } = await busy.signUp();

      await slots.acquire();
      const queued = slots.acquire();
      const answers = [
        await raw(busy, 'post', '/users', aSignUp()),
        await raw(busy, 'post', '/auth/login', { email: user.email, password }),
        await raw(busy, 'post', '/auth/login', { email: 'nobody@example.com', password }),
        await raw(busy, 'post', '/users/me/password', { currentPassword: password, newPassword: 'a brand new passphrase' }, token),
        await raw(busy, 'patch', `/users/${user.id}`, { email: 'moved@example.com', currentPassword: password }, token),
        await raw(busy, 'delete', `/users/${user.id}`, { currentPassword: password }, token),
      ];
      slots.release();
      await queued;
      slots.release();

      for (const answer of answers) expectBusy(answer);
      expect((await busy.get('/users/me', token)).body).toEqual(user);
      expect((await busy.get('/users?count=true')).body.total).toBe(1);
      expect((await busy.post('/auth/login', { email: user.email, password })).status).toBe(200);
    });
  });

  describe('ownership', () => {
    it("when another user's token edits or deletes a post, then 403 and the post is unchanged", async () => {
      const author = await http.signUp();
      const intruder = await http.signUp();
      const post = (await http.post('/posts', { title: 'Mine', content: 'Mine' }, author.token)).body;

      expect((await http.patch(`/posts/${post.id}`, { title: 'Yours' }, intruder.token)).status).toBe(403);
      expect((await http.delete(`/posts/${post.id}`, intruder.token)).status).toBe(403);
      expect((await http.get(`/posts/${post.id}`)).body).toEqual(post);
    });

    it("when another user's token edits or deletes a user, then 403 and the user is unchanged", async () => {
      const victim = await http.signUp();
      const intruder = await http.signUp();

      expect((await http.patch(`/users/${victim.user.id}`, { displayName: 'Owned' }, intruder.token)).status).toBe(403);
      expect((await http.delete(`/users/${victim.user.id}`, intruder.token, { currentPassword: intruder.password })).status).toBe(403);
      expect((await http.delete(`/users/${victim.user.id}`, intruder.token, { currentPassword: victim.password })).status).toBe(403);
      expect((await http.get(`/users/${victim.user.id}`)).body).toEqual(publicView(victim.user));
      expect((await http.get('/users/me', victim.token)).status).toBe(200);
    });

    it('when anyone reads, then no token is needed', async () => {
      const { user, token } = await http.signUp();
      const post = (await http.post('/posts', { title: 't', content: 'c' }, token)).body;
      for (const path of ['/users', `/users/${user.id}`, `/users/${user.id}/posts`, '/posts', `/posts/${post.id}`]) {
        expect((await http.get(path)).status).toBe(200);
      }
    });
  });

  describe('no mass assignment', () => {
    const protectedFields = {
      id: '1',
      version: 2,
      createdAt: '2000-01-01T00:00:00.000Z',
      updatedAt: '2000-01-01T00:00:00.000Z',
      authorId: 'someone',
      passwordHash: '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA',
      password_hash: 'x',
      role: 'admin',
      isAdmin: true,
    };

    it.each(Object.entries(protectedFields))('when sign-up sets %s, then 400 and no user is made', async (field, value) => {
      const response = await http.post('/users', { ...aSignUp(), [field]: value });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field, message: `${field} is not a known field` }]);
      expect((await http.get('/users?count=true')).body.total).toBe(0);
    });

    it.each(Object.entries({ ...protectedFields, password: 'a new password here' }))(
      'when a user PATCHes %s onto themselves, then 400 and nothing changes',
      async (field, value) => {
        const { user, token } = await http.signUp();
        const response = await http.patch(`/users/${user.id}`, { displayName: 'Changed', [field]: value }, token);
        expect(response.status).toBe(400);
        expect(response.body.errors).toEqual([{ field, message: `${field} is not a known field` }]);
        expect((await http.get(`/users/${user.id}`)).body).toEqual(publicView(user));
      },
    );

    it.each(Object.entries(protectedFields))('when a post is created or PATCHed with %s, then 400 and nothing changes', async (field, value) => {
      const { token } = await http.signUp();
      const post = (await http.post('/posts', { title: 't', content: 'c' }, token)).body;

      expect((await http.post('/posts', { title: 't', content: 'c', [field]: value }, token)).status).toBe(400);
      expect((await http.patch(`/posts/${post.id}`, { title: 'Changed', [field]: value }, token)).status).toBe(400);
      expect((await http.get('/posts')).body.items).toEqual([post]);
    });
  });
});

describeEachStore('login and sign-up rate limits HTTP API', (context) => {
  // Behind one trusted proxy, X-Forwarded-For names the client; the addresses are documentation ones, only ever in a header.
  // Each test builds its own app, so its limits start from zero.
  const limited = (loginLimit: Partial<LoginLimit> = {}) =>
    api(context, { loginLimit: { limit: 3, emailLimit: 5, windowMs: 60_000, ...loginLimit }, signUpLimit: { limit: 2, windowMs: 60_000 }, trustProxyHops: 1 });
  const from = (http: ReturnType<typeof api>, address: string, path: string, body: object) =>
    checked(http.raw().post(path).set('X-Forwarded-For', address).set('Content-Type', 'application/json').send(JSON.stringify(body)));
  const anAccount = async (http: ReturnType<typeof api>) => {
    const body = aSignUp();
    expect((await http.post('/users', body)).status).toBe(201);
    return { email: body.email, password: body.password };
  };

  it('when one address sends the limit of wrong passwords for an email, then it gets 429 with Retry-After even for the right one, and another address still logs in', async () => {
    const http = limited();
    const { email, password } = await anAccount(http);
    for (let n = 0; n < 3; n++) expect((await from(http, '192.0.2.1', '/auth/login', { email, password: 'wrong password!' })).status).toBe(401);

    const refused = await from(http, '192.0.2.1', '/auth/login', { email, password });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/from this address/);
    expect((await from(http, '192.0.2.1', '/auth/login', { email, password: 'wrong password!' })).status).toBe(429);

    expect((await from(http, '192.0.2.2', '/auth/login', { email: email.toUpperCase(), password })).status).toBe(200);
  });

  it('when failures for one email from many addresses reach the ceiling, then 429 with Retry-After even for the right password; below it, the right password logs in', async () => {
    const http = limited();
    const { email, password } = await anAccount(http);
    const wrong = (address: string) => from(http, address, '/auth/login', { email: address.endsWith('2') ? email.toUpperCase() : email, password: 'wrong password!' });
    for (const address of ['192.0.2.11', '192.0.2.12', '192.0.2.13', '192.0.2.14']) expect((await wrong(address)).status).toBe(401);
    expect((await from(http, '192.0.2.15', '/auth/login', { email, password })).status).toBe(200);

    expect((await wrong('192.0.2.16')).status).toBe(401);
    const refused = await from(http, '192.0.2.17', '/auth/login', { email, password });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.detail).toBe('too many failed logins for this email; wait for the time in Retry-After');
  });

  it('when the window has passed, then the email ceiling is lifted, and not a millisecond before', async () => {
    // The limiter's window is read from Date: the test moves that clock, and nothing waits.
    freezeDate();
    try {
      const http = limited({ limit: 1, emailLimit: 2, windowMs: 60_000 });
      const { email, password } = await anAccount(http);
      for (const address of ['192.0.2.21', '192.0.2.22']) expect((await from(http, address, '/auth/login', { email, password: 'wrong password!' })).status).toBe(401);
      expect((await from(http, '192.0.2.23', '/auth/login', { email, password })).status).toBe(429);

      advanceDate(60_000 - 1);
      expect((await from(http, '192.0.2.24', '/auth/login', { email, password })).status).toBe(429);
      advanceDate(1);
      expect((await from(http, '192.0.2.25', '/auth/login', { email, password })).status).toBe(200);
    } finally {
      jest.useRealTimers();
    }
  });

  it('when requests for one email are malformed, then they count against their address only, never against the email', async () => {
    const http = limited();
    const { email, password } = await anAccount(http);
    const malformed = [{ email }, { email, password: '' }, { email, password, extra: 1 }, { email, password: 42 }, { email, password: { $ne: null } }, { email: email.toUpperCase() }];
    for (const [n, body] of malformed.entries()) expect((await from(http, `192.0.2.${31 + (n % 3)}`, '/auth/login', body)).status).toBe(400);

    expect((await from(http, '192.0.2.31', '/auth/login', { email, password })).status).toBe(200);
    const refused = await from(http, '192.0.2.31', '/auth/login', { email, password });
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(/too many login attempts from this address/);
  });

  it('when one address tries many emails, then 429 after the limit, successful logins counted too, and other addresses are not held back', async () => {
    const http = limited();
    const { email, password } = await anAccount(http);
    const attempt = (address: string, n: number) => from(http, address, '/auth/login', { email: `nobody${n}@example.com`, password: 'wrong password!' });
    for (let n = 0; n < 2; n++) expect((await attempt('198.51.100.7', n)).status).toBe(401);
    expect((await from(http, '198.51.100.7', '/auth/login', { email, password })).status).toBe(200);
    const refused = await attempt('198.51.100.7', 3);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/too many login attempts from this address/);
    expect((await attempt('198.51.100.8', 4)).status).toBe(401);
  });

  it('when one address changes emails, then each change counts as a sign-up from there', async () => {
    const http = limited();
    const body = aSignUp();
    expect((await from(http, '203.0.113.20', '/users', body)).status).toBe(201);
    const login = await from(http, '203.0.113.21', '/auth/login', { email: body.email, password: body.password });
    const change = (address: string, email: string) =>
      checked(
        http
          .raw()
          .patch(`/users/${login.body.user.id}`)
          .set('X-Forwarded-For', address)
          .set('Authorization', `Bearer ${login.body.accessToken}`)
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ email, currentPassword: body.password })),
      );

    expect((await change('203.0.113.20', 'first@example.com')).status).toBe(200);
    const refused = await change('203.0.113.20', 'second@example.com');
    expect(refused.status).toBe(429);
    expect((await from(http, '203.0.113.20', '/users', aSignUp())).status).toBe(429);
    expect((await change('203.0.113.22', 'third@example.com')).status).toBe(200);
  });

  it('when the password checks of one account reach the login limit, then 429 even with the right password, and nothing changes', async () => {
    const http = limited({ limit: 3 });
    const { user, token, password } = await http.signUp();
    for (let n = 0; n < 3; n++) expect((await http.delete(`/users/${user.id}`, token, { currentPassword: 'not the password at all' })).status).toBe(403);

    const refused = await http.delete(`/users/${user.id}`, token, { currentPassword: password });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/password checks for this account/);
    expect((await http.post('/users/me/password', { currentPassword: password, newPassword: 'a brand new passphrase' }, token)).status).toBe(429);
    expect((await http.get('/users/me', token)).body).toEqual(user);
  });

  it('when one address signs up too often, then 429 and no user is made; other addresses still can', async () => {
    const http = limited();
    expect((await from(http, '203.0.113.9', '/users', aSignUp())).status).toBe(201);
    expect((await from(http, '203.0.113.9', '/users', aSignUp())).status).toBe(201);
    const refused = await from(http, '203.0.113.9', '/users', aSignUp());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await http.get('/users?count=true')).body.total).toBe(2);
    expect((await from(http, '203.0.113.10', '/users', aSignUp())).status).toBe(201);
  });
});
