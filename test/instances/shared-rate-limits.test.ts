import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import type { LoginLimit, RateLimit } from '../../src/http/rate-limits';
import { openRedis, redisCounters } from '../../src/http/redis-counters';
import { api, checked } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { aSignUp } from '../support/factories';
import { startTcpProxy } from '../support/tcp-proxy';

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
/** This run's keys only: other runs may share the server, and nothing is left behind. */
const runPrefix = `dualstore-test:${randomUUID()}:`;
const silent = pino({ level: 'silent' });
const clients = new Set<Redis>();

/** QUIT when connected; a client still reconnecting only needs to stop trying. */
async function close(client: Redis): Promise<void> {
  clients.delete(client);
  if (client.status === 'ready') await client.quit();
  else client.disconnect();
}

afterAll(async () => {
  const [client] = clients;
  if (client?.status === 'ready') {
    const keys = await client.keys(`${runPrefix}*`);
    if (keys.length > 0) await client.del(...keys);
  }
  await Promise.all([...clients].map(close));
});

describeEachStore('two instances sharing rate limits in Redis', (context) => {
  // Behind one trusted proxy, X-Forwarded-For names the client; the addresses are documentation ones.
  const login: LoginLimit = { limit: 3, emailLimit: 5, windowMs: 60_000 };
  const signUp: RateLimit = { limit: 2, windowMs: 60_000 };
  const costly: RateLimit = { limit: 3, windowMs: 60_000 };

  /** An instance of the service on the context's store, with its own Redis client, counting under `prefix`. */
  const instance = async (prefix: string, url = redisUrl, logger = silent) => {
    const client = await openRedis(url, logger);
    clients.add(client);
    const counters = redisCounters(client, logger, prefix);
    const limits = { loginLimit: { ...login, counters }, signUpLimit: { ...signUp, counters }, expensiveReadLimit: { ...costly, counters }, writeLimit: { ...costly, counters } };
    return { redis: client, ...api(context, { ...limits, trustProxyHops: 1, logger }) };
  };
  /** Instances that each count in their own memory, as without REDIS_URL. */
  const alone = () => api(context, { loginLimit: login, signUpLimit: signUp, trustProxyHops: 1 });
  const from = (http: ReturnType<typeof api>, address: string, path: string, body: object) =>
    http.raw().post(path).set('X-Forwarded-For', address).set('Content-Type', 'application/json').send(JSON.stringify(body));
  const anAccount = async (http: ReturnType<typeof api>) => {
    const body = aSignUp();
    expect((await http.post('/users', body)).status).toBe(201);
    return { email: body.email, password: body.password };
  };

  it('when one address sends 2 logins to instance A and 2 to instance B, then the 4th is refused with 429, on either instance', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const { email, password } = await anAccount(a);
    const wrong = { email, password: 'wrong password!' };

    expect((await checked(from(a, '192.0.2.1', '/auth/login', wrong))).status).toBe(401);
    expect((await checked(from(a, '192.0.2.1', '/auth/login', wrong))).status).toBe(401);
    expect((await checked(from(b, '192.0.2.1', '/auth/login', wrong))).status).toBe(401);
    const refused = await checked(from(b, '192.0.2.1', '/auth/login', { email, password }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.detail).toMatch(/from this address/);
    expect((await checked(from(a, '192.0.2.1', '/auth/login', { email, password }))).status).toBe(429);
    expect((await checked(from(b, '192.0.2.2', '/auth/login', { email, password }))).status).toBe(200);
  });

  it('when each instance counts in its own memory, then the same 4 logins all pass: the limit is per instance', async () => {
    const [a, b] = [alone(), alone()];
    const { email, password } = await anAccount(a);

    for (const http of [a, a, b, b]) expect((await checked(from(http, '192.0.2.3', '/auth/login', { email, password }))).status).toBe(200);
  });

  it('when failed logins for one email are spread over instances and addresses, then they reach one shared ceiling', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const { email, password } = await anAccount(a);

    for (const [n, http] of [a, b, a, b, a].entries()) {
      expect((await checked(from(http, `192.0.2.${10 + n}`, '/auth/login', { email, password: 'wrong password!' }))).status).toBe(401);
    }
    const refused = await checked(from(b, '192.0.2.20', '/auth/login', { email, password }));
    expect(refused.status).toBe(429);
    expect(refused.body.detail).toMatch(/for this email/);
  });

  it('when one address signs up on A, then on B, then on A again, then the third is refused and no user is made', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];

    expect((await checked(from(a, '203.0.113.9', '/users', aSignUp()))).status).toBe(201);
    expect((await checked(from(b, '203.0.113.9', '/users', aSignUp()))).status).toBe(201);
    expect((await checked(from(a, '203.0.113.9', '/users', aSignUp()))).status).toBe(429);
    expect((await a.get('/users?count=true')).body.total).toBe(2);
  });

  it('when one address searches on A and B, then its searches reach one shared limit', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const search = (http: ReturnType<typeof api>, address: string) => checked(http.raw().get('/posts?q=engine').set('X-Forwarded-For', address));

    for (const http of [a, b, a]) expect((await search(http, '192.0.2.40')).status).toBe(200);
    for (const http of [b, a]) {
      const refused = await search(http, '192.0.2.40');
      expect(refused.status).toBe(429);
      expect(refused.body.detail).toMatch(/from this address/);
    }
    expect((await search(b, '192.0.2.41')).status).toBe(200);
  });

  it('when one user writes on A and B, then the writes reach one shared limit, and nothing past it is written', async () => {
    const prefix = `${runPrefix}${randomUUID()}:`;
    const [a, b] = [await instance(prefix), await instance(prefix)];
    const { token } = await a.signUp();

    expect((await a.post('/posts', { title: 'On A', content: 'c' }, token)).status).toBe(201);
    expect((await b.post('/posts', { title: 'On B', content: 'c' }, token)).status).toBe(201);
    expect((await a.post('/posts', { title: 'On A again', content: 'c' }, token)).status).toBe(201);
    for (const http of [b, a]) {
      const refused = await http.post('/posts', { title: 'One too many', content: 'c' }, token);
      expect(refused.status).toBe(429);
      expect(refused.body.detail).toMatch(/by this user/);
    }
    expect((await a.get('/posts?count=true')).body.total).toBe(3);
  });

  it('when Redis is cut away while serving, then every request a limit counts answers 503 with Retry-After and a log line, other routes serve, and the limits work again once it is back', async () => {
    const target = new URL(redisUrl);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const lines: string[] = [];
    const log = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ level: 'info' }, log);
    const http = await instance(`${runPrefix}${randomUUID()}:`, `redis://127.0.0.1:${proxy.port}`, logger);
    try {
      const { email, password } = await anAccount(http);
      expect((await checked(from(http, '192.0.2.30', '/auth/login', { email, password }))).status).toBe(200);

      const { token } = await http.signUp();
      const post = (await http.post('/posts', { title: 'Before the outage', content: 'c' }, token)).body;

      proxy.cut();
      const refusals = [
        from(http, '192.0.2.30', '/auth/login', { email, password }),
        from(http, '192.0.2.30', '/users', aSignUp()),
        from(http, '192.0.2.30', '/posts', { title: 'During the outage', content: 'c' }).set('Authorization', `Bearer ${token}`),
        http.raw().get('/posts?q=engine').set('X-Forwarded-For', '192.0.2.30'),
      ];
      for (const refusal of refusals) {
        const refused = await refusal;
        expect(refused.status).toBe(503);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect((await http.get('/users')).status).toBe(200);
      expect((await http.get(`/posts/${post.id}`)).status).toBe(200);
      expect((await http.get('/posts')).status).toBe(200);
      const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: { type?: string } });
      expect(logged.filter(({ level, err }) => level >= 50 && err?.type === 'StoreUnavailableError')).toHaveLength(refusals.length);
      expect((await http.get('/posts')).body.items).toEqual([post]);

      proxy.restore();
      // The client reconnects on its own, after a back-off of at most 2 s.
      let status = 503;
      for (let tries = 0; status === 503 && tries < 100; tries++) {
        await new Promise((done) => setTimeout(done, 100));
        status = (await from(http, '192.0.2.30', '/auth/login', { email, password })).status;
      }
      expect(status).toBe(200);
      expect((await checked(from(http, '192.0.2.30', '/auth/login', { email, password }))).status).toBe(200);
      expect((await checked(from(http, '192.0.2.30', '/auth/login', { email, password }))).status).toBe(429);
    } finally {
      await close(http.redis);
      await proxy.close();
    }
  });
});

describe('opening Redis', () => {
  it('when Redis cannot be reached, then opening it fails with one line naming the server and the reason, and no password', async () => {
    await expect(openRedis('redis://:s3cret@127.0.0.1:1/0', silent)).rejects.toThrow(/^cannot reach Redis at 127\.0\.0\.1:1\/0: connect ECONNREFUSED 127\.0\.0\.1:1$/);
  });
});
