import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import type { Response } from 'supertest';
import { type SignedUp, api, checked } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { type StoreCalls, recordStoreCalls, statementHead } from '../support/store-calls';

/** A pino logger at `level` writing each JSON line into `lines`. */
function loggerAt(level: string, lines: string[]): Logger {
  return pino(
    { level },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    }),
  );
}

interface LogLine {
  msg: string;
  req: { id: string };
  storeOperations?: { op: string; ms: number }[];
}

/** The request log's line of `response`, written once its connection has closed. */
async function lineOf(lines: string[], response: Response): Promise<LogLine> {
  const id = response.headers['x-request-id'];
  for (let waited = 0; waited < 2_000; waited += 10) {
    const line = lines.map((text) => JSON.parse(text) as LogLine).find((parsed) => parsed.req?.id === id);
    if (line !== undefined) return line;
    await sleep(10);
  }
  throw new Error(`no log line for request ${id}`);
}

const serverTiming = /^store;dur=(\d+(?:\.\d+)?);desc="(\d+) operations", app;dur=(\d+(?:\.\d+)?)$/;

/** What store-calls.ts records of an operation: a statement's first words, or a command's name and collection. */
const headOf = (op: string, store: string) => (store === 'mongodb' ? op.split(' ').slice(0, 2).join(' ') : statementHead(op));

describeEachStore(
  'store operations of each request, in Server-Timing and the debug log line',
  (context) => {
    const lines: string[] = [];
    const http = api(context, { serverTiming: true, logger: loggerAt('debug', lines) });
    const quiet = api(context);
    let calls: StoreCalls;
    let author: SignedUp;
    let postId: string;
    let goneId: string;

    beforeAll(() => {
      calls = recordStoreCalls(context.name);
    });
    afterAll(() => calls.restore());

    beforeEach(async () => {
      author = await http.signUp();
      // Warm: every pooled connection the requests below may take is open, and every statement made once.
      for (let i = 0; i < 3; i += 1) {
        postId = (await http.post('/posts', { title: `Warm ${i}`, content: 'Up', tags: ['warm'] }, author.token)).body.id;
        await http.get(`/posts/${postId}`);
        await http.get('/posts?limit=5');
        await checked(http.raw().get('/api/articles?limit=5'));
      }
      goneId = (await http.post('/posts', { title: 'Gone', content: 'Soon' }, author.token)).body.id;
      expect((await http.delete(`/posts/${goneId}`, author.token)).status).toBe(204);
      await http.get(`/posts/${goneId}`);
      lines.length = 0;
    });

    const requests: [string, () => Promise<Response>, number][] = [
      ['GET /posts/:id', () => http.get(`/posts/${postId}`), 200],
      ['POST /posts with tags', () => http.post('/posts', { title: 'Tagged', content: 'Two tags', tags: ['first', 'second'] }, author.token), 201],
      ['GET /posts, a list page', () => http.get('/posts?limit=5'), 200],
      ['GET /api/articles, a Conduit list page', () => checked(http.raw().get('/api/articles?limit=5')), 200],
      ['GET /posts/:id of a deleted post', () => http.get(`/posts/${goneId}`), 404],
    ];

    it.each(requests)(
      'when %s is answered with SERVER_TIMING on, then Server-Timing counts exactly the operations its driver sent, and the debug line lists them',
      async (name, request, status) => {
        calls.start();
        const response = await request();
        const sent = calls.sent();
        expect(response.status).toBe(status);
        const timing = serverTiming.exec(response.headers['server-timing'] ?? '');
        expect(timing).not.toBeNull();
        expect(Number(timing![2])).toBe(sent.length);
        if (name === 'GET /posts/:id') expect(timing![2]).toBe('1');
        const { storeOperations } = await lineOf(lines, response);
        expect(storeOperations!.map(({ op }) => headOf(op, context.name)).sort()).toEqual([...sent].sort());
        for (const { ms } of storeOperations!) expect(ms).toBeGreaterThanOrEqual(0);
      },
    );

    it('when a write runs in a transaction, then each of its statements is one operation, BEGIN and COMMIT included', async () => {
      const response = await http.post('/posts', { title: 'Tagged', content: 'In one transaction', tags: ['one', 'two'] }, author.token);
      const { storeOperations } = await lineOf(lines, response);
      const ops = storeOperations!.map(({ op }) => op);
      if (context.name === 'mongodb') {
        expect(ops).toEqual(expect.arrayContaining([expect.stringMatching(/^insert posts$/), expect.stringMatching(/^find users \{_id: \?\}$/)]));
      } else {
        expect(ops[1]).toMatch(/^(BEGIN IMMEDIATE|START TRANSACTION)$/);
        expect(ops.at(-1)).toBe('COMMIT');
        expect(ops.some((op) => /^INSERT INTO [`"]?post_tags/.test(op))).toBe(true);
      }
    });

    it('when a request carries an email, a password, a token and a post body, then its debug line lists its operations with none of their values', async () => {
      const email = 'leaky.reader@example.com';
      const password = 'leaky horse battery staple';
      const signUp = await http.post('/users', { email, username: 'leaky_reader', displayName: 'Leaky Reader', password });
      const login = await http.post('/auth/login', { email, password });
      const token = login.body.accessToken as string;
      const body = { title: 'Secret title 8472', content: 'Secret content 9921', tags: ['secret-tag'] };
      const created = await http.post('/posts', body, token);
      const changed = await http.patch(`/posts/${created.body.id}`, { title: 'Secret retitle 5531', content: 'Secret recontent 7713' }, token);
      // Ids too, where they are long enough not to occur by chance (a MongoDB ObjectId, not a SQL row number).
      const ids = [created.body.id as string, signUp.body.id as string].filter((id) => id.length > 6);
      const secrets = [email, 'leaky', 'Leaky', password, token, body.title, body.content, 'secret', 'Secret', '8472', '9921', '5531', '7713', ...ids];
      for (const response of [signUp, login, created, changed]) {
        expect(response.status).toBeLessThan(300);
        const line = await lineOf(lines, response);
        expect(line.storeOperations!.length).toBeGreaterThan(0);
        const listed = JSON.stringify(line.storeOperations!.map(({ op }) => op));
        for (const secret of secrets) expect(listed).not.toContain(secret);
        // No password hash, no quoted literal, no number but a `$n` placeholder.
        expect(listed).not.toMatch(/\$scrypt\$|'|(?<![\w$])\d/);
      }
    });

    it('when SERVER_TIMING is off, then no answer carries Server-Timing, a 404 and a Conduit answer neither', async () => {
      for (const response of [await quiet.get(`/posts/${postId}`), await quiet.get(`/posts/${goneId}`), await checked(quiet.raw().get('/api/articles'))]) {
        expect(response.headers['server-timing']).toBeUndefined();
      }
    });

    it('when the log level is info, then the line lists no operations, while Server-Timing still counts them', async () => {
      const infoLines: string[] = [];
      const response = await api(context, { serverTiming: true, logger: loggerAt('info', infoLines) }).get(`/posts/${postId}`);
      expect(response.headers['server-timing']).toMatch(serverTiming);
      expect((await lineOf(infoLines, response)).storeOperations).toBeUndefined();
    });

    it('when SERVER_TIMING is on and an origin is allowed, then a page of that origin may read Server-Timing', async () => {
      const origin = 'https://app.example.com';
      const exposed = async (on: boolean) =>
        (await checked(api(context, { serverTiming: on, corsOrigins: [origin] }).raw().get(`/posts/${postId}`).set('Origin', origin))).headers['access-control-expose-headers'];
      expect((await exposed(true)).split(',')).toContain('Server-Timing');
      expect((await exposed(false)).split(',')).not.toContain('Server-Timing');
    });
  },
  { captureOperations: true },
);
