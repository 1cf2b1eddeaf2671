import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Response } from 'supertest';
import { databaseConfig } from '../../src/config';
import type { AppOptions } from '../../src/app';
import { openRedis, redisCounters } from '../../src/http/redis-counters';
import { openStore } from '../../src/stores/open-store';
import { api, checked } from '../support/api';
import { type StoreContext, describeEachStore } from '../support/each-store';
import { aSignUp } from '../support/factories';

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });

/**
 * Two instances of the service as two processes would be: each opens the
 * store on its own (openStore on one database: its own pool, client or file
 * handle) and has its own Redis client, on one Redis, as main.ts builds them.
 */
describeEachStore('two instances on separate store connections', (context) => {
  const second = { name: context.name } as StoreContext;
  /** This file's keys only: other runs may share the server, and nothing is left behind. */
  const prefix = `dualstore-test:${randomUUID()}:`;
  const redisClients: Redis[] = [];
  let a: ReturnType<typeof api>;
  let b: ReturnType<typeof api>;

  const instance = async (on: StoreContext) => {
    const redis = await openRedis(redisUrl, silent);
    redisClients.push(redis);
    const counters = redisCounters(redis, silent, prefix);
    const options: Partial<AppOptions> = {
      loginLimit: { limit: 1_000, emailLimit: 1_000, windowMs: 60_000, counters },
      signUpLimit: { limit: 1_000, windowMs: 60_000, counters },
    };
    return api(on, options);
  };

  // Nested, so that instance B and the Redis clients are closed before the harness drops the database.
  describe('A and B', () => {
    beforeAll(async () => {
      second.database = context.database;
      second.store = await openStore(databaseConfig(context.database.url));
      a = await instance(context);
      b = await instance(second);
    });
    afterAll(async () => {
      await second.store?.close();
      const [client] = redisClients;
      if (client?.status === 'ready') {
        const keys = await client.keys(`${prefix}*`);
        if (keys.length > 0) await client.del(...keys);
      }
      await Promise.all(redisClients.map((client) => client.quit()));
    });

    it('when a user logs in on A, then the token works on B; once logged out on A, B refuses it', async () => {
      const { user, token } = await a.signUp();
      expect(second.store).not.toBe(context.store);

      const onB = await b.get('/users/me', token);
      expect(onB.status).toBe(200);
      expect(onB.body).toEqual(user);

      expect((await a.post('/auth/logout', undefined, token)).status).toBe(204);
      const refused = await b.get('/users/me', token);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm="dualstore"/);
      expect((await b.post('/posts', { title: 't', content: 'c' }, token)).status).toBe(401);
    });

    it('when a user logs in on B and out on B, then A accepted the token before and refuses it after', async () => {
      const body = aSignUp();
      expect((await a.post('/users', body)).status).toBe(201);
      const login = await b.post('/auth/login', { email: body.email, password: body.password });
      expect(login.status).toBe(200);
      const token: string = login.body.accessToken;
      // A reads the session first, so an instance that kept what it read would still accept the token after.
      expect((await a.get('/users/me', token)).status).toBe(200);

      expect((await b.post('/auth/logout', undefined, token)).status).toBe(204);

      expect((await a.get('/users/me', token)).status).toBe(401);
    });

    it('when a create with an Idempotency-Key was answered by A, then its retry on B replays that answer and creates nothing', async () => {
      const { token } = await a.signUp();
      const body = { title: 'Retried elsewhere', content: randomUUID() };

      const first = await postWithKey(a, body, 'across-instances', token);
      expect(first.status).toBe(201);
      const retry = await postWithKey(b, body, 'across-instances', token);

      expect(retry.status).toBe(201);
      expect(retry.text).toBe(first.text);
      expect(retry.headers.location).toBe(first.headers.location);
      expect(retry.headers.etag).toBe(first.headers.etag);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect((await b.get('/posts?count=true')).body.total).toBe(1);
    });

    it('when ten requests with one key arrive at once, split across A and B, then one post is created and each answer is its 201 or a 409 with Retry-After', async () => {
      const { token } = await a.signUp();
      const body = { title: 'Sent ten times', content: randomUUID() };

      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => postWithKey(i % 2 === 0 ? a : b, body, 'at-once-on-two', token)));

      const created = answers.filter((answer) => answer.status === 201);
      expect(created.filter((answer) => answer.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
      for (const answer of answers) {
        if (answer.status === 201) {
          expect(answer.text).toBe(created[0].text);
          expect(answer.headers.location).toBe(created[0].headers.location);
        } else {
          expect(answer.status).toBe(409);
          expect(answer.headers['retry-after']).toMatch(/^\d+$/);
        }
      }
      for (const http of [a, b]) expect((await http.get('/posts?count=true')).body.total).toBe(1);
    });
  });
});

/** A JSON POST /posts with an Idempotency-Key and a token. */
function postWithKey(http: ReturnType<typeof api>, body: object, key: string, token: string): Promise<Response> {
  return checked(
    http.raw().post('/posts').set('Content-Type', 'application/json').set('Idempotency-Key', key).set('Authorization', `Bearer ${token}`).send(JSON.stringify(body)),
  );
}
