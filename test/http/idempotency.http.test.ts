import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { databaseConfig } from '../../src/config';
import { idempotencyKeyId } from '../../src/http/idempotency';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { openStore } from '../../src/stores/open-store';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { api, checked } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { aSignUp } from '../support/factories';

const day = 24 * 60 * 60 * 1000;

describeEachStore('Idempotency-Key on creates', (context) => {
  let clockOffsetMs = 0;
  const now = () => new Date(Date.now() + clockOffsetMs);
  const http = api(context, { idempotency: { now } });
  /** Gives up on a pending key quickly, for the tests that hold one. */
  const impatient = api(context, { idempotency: { now, waitMs: 200, pollMs: 20 } });

  beforeEach(() => {
    clockOffsetMs = 0;
  });

  /** A JSON POST with an Idempotency-Key (or several, or none) and optionally a token. */
  const post = (path: string, body: unknown, key: string | string[] | undefined, token?: string, client = http) => {
    const test = client.raw().post(path).set('Content-Type', 'application/json');
    // An array sends the header once per value.
    if (key !== undefined) test.set({ 'Idempotency-Key': key });
    if (token !== undefined) test.set('Authorization', `Bearer ${token}`);
    return checked(test.send(JSON.stringify(body)));
  };
  const aPostBody = () => ({ title: 'Retried', content: `written once ${randomUUID()}` });
  const postCount = async () => (await http.get('/posts?count=true')).body.total as number;
  const userCount = async () => (await http.get('/users?count=true')).body.total as number;

  /** Everything the store keeps about keys, as text. */
  const keptKeys = async (): Promise<string> => {
    const store = context.store;
    if (store instanceof TypeOrmStore) return JSON.stringify(await store.dataSource.query('SELECT * FROM idempotency_keys'));
    if (store instanceof MongoStore) return JSON.stringify(await store.db.collection('idempotency_keys').find().toArray());
    throw new Error('unknown store type');
  };

  const expectReplayOf = (retry: Response, first: Response) => {
    expect(retry.status).toBe(first.status);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers.etag).toBe(first.headers.etag);
    expect(retry.headers['content-type']).toBe(first.headers['content-type']);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  };

  describe('POST /posts', () => {
    it('when a create is retried with the same key and body, then the first 201, body, Location and ETag come back, marked, and one post exists', async () => {
      const { token } = await http.signUp();
      const body = aPostBody();

      const first = await post('/posts', body, 'retry-1', token);
      const retry = await post('/posts', body, 'retry-1', token);

      expect(first.status).toBe(201);
      expect(first.headers.location).toBe(`/posts/${first.body.id}`);
      expect(first.headers.etag).toEqual(expect.any(String));
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expectReplayOf(retry, first);
      expect(await postCount()).toBe(1);
    });

    it('when a create with tags is retried with its key, then it is a replay; other tags are another body', async () => {
      const { token } = await http.signUp();
      const body = { ...aPostBody(), tags: ['b', 'a'] };

      const first = await post('/posts', body, 'tagged', token);
      const retry = await post('/posts', body, 'tagged', token);
      const other = await post('/posts', { ...body, tags: ['b', 'c'] }, 'tagged', token);

      expect(first.status).toBe(201);
      expectReplayOf(retry, first);
      expect(other.status).toBe(422);
      expect(await postCount()).toBe(1);
    });

    it('when the same body comes with its fields in another order, then it is the same request: a replay', async () => {
      const { token } = await http.signUp();

      const first = await post('/posts', { title: 'Order', content: 'fields in any order' }, 'order', token);
      const retry = await post('/posts', { content: 'fields in any order', title: 'Order' }, 'order', token);

      expectReplayOf(retry, first);
      expect(await postCount()).toBe(1);
    });

    it('when ten requests with one key arrive at once, then one post is created and each answer is its 201 or a 409 with Retry-After', async () => {
      const { token } = await http.signUp();
      const body = aPostBody();

      const answers = await Promise.all(Array.from({ length: 10 }, () => post('/posts', body, 'at-once', token)));

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
      expect(await postCount()).toBe(1);
    });

    it('when the key is reused with another body, then 422 naming the header and nothing is created', async () => {
      const { token } = await http.signUp();
      const first = await post('/posts', aPostBody(), 'reused', token);

      const reused = await post('/posts', aPostBody(), 'reused', token);

      expect(reused.status).toBe(422);
      expect(reused.body.detail).toMatch(/Idempotency-Key/);
      expect(reused.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
      expect((await http.get('/posts')).body.items.map((item: { id: string }) => item.id)).toEqual([first.body.id]);
    });

    it('when another user sends the same key and body, then they get a post of their own, not a replay', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      const body = aPostBody();

      const adas = await post('/posts', body, 'shared-key', ada.token);
      const bobs = await post('/posts', body, 'shared-key', bob.token);

      expect(bobs.status).toBe(201);
      expect(bobs.headers['idempotent-replayed']).toBeUndefined();
      expect(bobs.body.id).not.toBe(adas.body.id);
      expect(bobs.body.authorId).toBe(bob.user.id);
      expect(await postCount()).toBe(2);
    });

    it('when the key is not one header of 1 to 255 printable ASCII characters, then 400 naming the header and nothing is created', async () => {
      const { token } = await http.signUp();

      for (const key of ['', 'k'.repeat(256), 'clé', 'tab\there', ['one', 'two']]) {
        const refused = await post('/posts', aPostBody(), key, token);
        expect(refused.status).toBe(400);
        expect(refused.body.detail).toMatch(/Idempotency-Key/);
        expect(refused.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
      }
      expect(await postCount()).toBe(0);

      const printable = String.fromCharCode(...Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => 0x20 + i));
      for (const key of ['k'.repeat(255), `x${printable}`]) expect((await post('/posts', aPostBody(), key, token)).status).toBe(201);
    });

    it('when the service restarts on the same database, then a retry still answers the original', async () => {
      const { token } = await http.signUp();
      const body = aPostBody();
      const first = await post('/posts', body, 'across-restarts', token);

      await context.store.close();
      context.store = await openStore(databaseConfig(context.database.url));
      const retry = await post('/posts', body, 'across-restarts', token);

      expectReplayOf(retry, first);
      expect(await postCount()).toBe(1);
    });

    it('when 24 hours have passed, then the key is new again and creates', async () => {
      const { token } = await http.signUp();
      const body = aPostBody();
      const first = await post('/posts', body, 'a-day', token);

      clockOffsetMs = day - 60_000;
      expectReplayOf(await post('/posts', body, 'a-day', token), first);

      clockOffsetMs = day;
      const later = await post('/posts', body, 'a-day', token);
      expect(later.status).toBe(201);
      expect(later.headers['idempotent-replayed']).toBeUndefined();
      expect(later.body.id).not.toBe(first.body.id);
      expect(await postCount()).toBe(2);
    });

    it('when the first request was a client error, then the key is released: a corrected request under it creates, and is replayed', async () => {
      const { token } = await http.signUp();

      const invalid = await post('/posts', { title: '', content: 'no title' }, 'fix-me', token);
      expect(invalid.status).toBe(400);
      expect(await keptKeys()).toBe('[]');

      const corrected = await post('/posts', { title: 'Fixed', content: 'no title' }, 'fix-me', token);
      expect(corrected.status).toBe(201);
      expect(corrected.headers['idempotent-replayed']).toBeUndefined();
      expectReplayOf(await post('/posts', { title: 'Fixed', content: 'no title' }, 'fix-me', token), corrected);
      expect(await postCount()).toBe(1);
    });

    it('when the store refuses the create (a 5xx), then the key is released and a retry creates', async () => {
      const { token } = await http.signUp();
      await post('/posts', { title: 'Taken title', content: 'first' }, undefined, token);
      const refuseSameTitle = await uniqueTitles();
      const body = { title: 'Taken title', content: 'second' };
      try {
        const failed = await http.raw().post('/posts').set('Authorization', `Bearer ${token}`).set('Idempotency-Key', 'after-5xx').send(body);
        expect(failed.status).toBeGreaterThanOrEqual(500);
        expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(await keptKeys()).toBe('[]');
      } finally {
        await refuseSameTitle.drop();
      }

      const retry = await post('/posts', body, 'after-5xx', token);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(await postCount()).toBe(2);
    });

    it('when the first request is still running past the wait, then 409 with Retry-After; once its lease ends, the key runs afresh', async () => {
      const { user, token } = await http.signUp();
      const body = aPostBody();
      // A process that died mid-request leaves its key pending: recreate that from a finished request.
      const first = await post('/posts', body, 'stuck', token);
      const id = idempotencyKeyId(`user ${user.id}`, 'stuck');
      const finished = await context.store.idempotencyKeys.find(id, now());
      await context.store.idempotencyKeys.release(id, finished!.claimToken);
      const lease = new Date(Date.now() + 30_000);
      await context.store.idempotencyKeys.claim({ ...finished!, claimToken: randomUUID(), response: null, expiresAt: lease }, now());

      const waited = await post('/posts', body, 'stuck', token, impatient);
      expect(waited.status).toBe(409);
      expect(waited.headers['retry-after']).toBe('1');
      expect(waited.body.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
      expect(await post('/posts', aPostBody(), 'stuck', token, impatient)).toHaveProperty('status', 422);
      expect(await postCount()).toBe(1);

      clockOffsetMs = 30_000;
      const afresh = await post('/posts', body, 'stuck', token, impatient);
      expect(afresh.status).toBe(201);
      expect(afresh.body.id).not.toBe(first.body.id);
      expect(await postCount()).toBe(2);
    });

    it('when no key is sent, then every request creates, as before', async () => {
      const { token } = await http.signUp();
      const body = aPostBody();

      await post('/posts', body, undefined, token);
      await post('/posts', body, undefined, token);

      expect(await postCount()).toBe(2);
      expect(await keptKeys()).toBe('[]');
    });
  });

  describe('POST /users', () => {
    it('when a sign-up is retried with the same key, even with another password, then the first user comes back and only its password logs in', async () => {
      const body = aSignUp();
      const otherPassword = `${body.password} but another`;

      const first = await post('/users', body, 'sign-up-1', undefined);
      const retry = await post('/users', { ...body, password: otherPassword }, 'sign-up-1', undefined);

      expect(first.status).toBe(201);
      expectReplayOf(retry, first);
      expect(await userCount()).toBe(1);
      expect((await http.post('/auth/login', { email: body.email, password: body.password })).status).toBe(200);
      expect((await http.post('/auth/login', { email: body.email, password: otherPassword })).status).toBe(401);
    });

    it('when a sign-up with a key is kept, then nothing kept holds its password', async () => {
      const body = aSignUp();
      await post('/users', body, 'no-password-kept', undefined);

      const kept = await keptKeys();
      expect(kept).toContain(body.username);
      expect(kept).not.toContain(body.password);
      expect(kept).not.toMatch(/password|\$scrypt\$/i);
    });

    it('when a sign-up is reused with another profile, then 422 and no second user', async () => {
      await post('/users', aSignUp(), 'sign-up-2', undefined);

      const reused = await post('/users', aSignUp(), 'sign-up-2', undefined);

      expect(reused.status).toBe(422);
      expect(reused.body.detail).toMatch(/Idempotency-Key/);
      expect(await userCount()).toBe(1);
    });

    it('when ten sign-ups with one key arrive at once, then one user is created and each answer is its 201 or a 409 with Retry-After', async () => {
      const body = aSignUp();

      const answers = await Promise.all(Array.from({ length: 10 }, () => post('/users', body, 'sign-up-at-once', undefined)));

      const created = answers.filter((answer) => answer.status === 201);
      expect(created.filter((answer) => answer.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
      for (const answer of answers) {
        if (answer.status === 201) expect(answer.text).toBe(created[0].text);
        else expect([answer.status, answer.headers['retry-after']]).toEqual([409, expect.stringMatching(/^\d+$/)]);
      }
      expect(await userCount()).toBe(1);
    });

    it('when a sign-up under a key was refused as taken, then the key is released and a corrected sign-up under it creates', async () => {
      const taken = await http.signUp();
      const body = aSignUp({ email: taken.user.email });

      const refused = await post('/users', body, 'sign-up-3', undefined);
      expect(refused.status).toBe(409);
      expect(refused.headers['retry-after']).toBeUndefined();

      const corrected = await post('/users', { ...body, email: `new.${body.email}` }, 'sign-up-3', undefined);
      expect(corrected.status).toBe(201);
      expect(await userCount()).toBe(2);
    });

    it('when one key is used for a sign-up and by a user for a post, then they do not meet', async () => {
      const { token } = await http.signUp();
      expect((await post('/users', aSignUp(), 'everywhere', undefined)).status).toBe(201);
      expect((await post('/posts', aPostBody(), 'everywhere', token)).status).toBe(201);
    });
  });

  /** Makes the store refuse a second post with the same title, until dropped. */
  async function uniqueTitles(): Promise<{ drop(): Promise<void> }> {
    const store = context.store;
    if (store instanceof TypeOrmStore) {
      await store.dataSource.query('CREATE UNIQUE INDEX test_unique_title ON posts (title)');
      const on = context.name === 'mysql' ? ' ON posts' : '';
      return { drop: async () => void (await store.dataSource.query(`DROP INDEX test_unique_title${on}`)) };
    }
    if (store instanceof MongoStore) {
      await store.db.collection('posts').createIndex({ title: 1 }, { name: 'test_unique_title', unique: true });
      return { drop: async () => void (await store.db.collection('posts').dropIndex('test_unique_title')) };
    }
    throw new Error('unknown store type');
  }
});
