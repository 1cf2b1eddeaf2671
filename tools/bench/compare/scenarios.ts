import { seededEmail, seededPassword } from '../../seed/dataset';
import { cursorAt } from '../measure';
import { expectOk } from './client';
import type { LoadPlan } from './load';

/** One kind of request, loaded on each server in turn. */
export interface Scenario {
  name: string;
  /** What the report calls it. */
  label: string;
  /** The load plan against one server, made again before each run: a PATCH run starts from the posts' current ETags. */
  plan(origin: string): Promise<LoadPlan>;
}

/** What the scenarios need from the seeded store, found through the service as a client would. */
export interface Fixture {
  token: string;
  /** Posts met on the way to the deep page: GET /posts/:id picks among them. */
  ids: string[];
  /** The cursor of the last full page of 20. */
  deepCursor: string;
  /** Its number, counting the first page as 1. */
  deepPage: number;
  /** Posts of the signed-in user for PATCH: twice as many as connections, so each request has one nobody else is writing. */
  patchPaths: string[];
}

const pageSize = 20;
/** How many different ids GET /posts/:id spreads over. */
const maxIds = 1_000;
const createBody = JSON.stringify({
  title: 'A post from the load generator',
  content: 'Created under load by npm run bench, with a few tags to write alongside it. '.repeat(8),
  tags: ['bench', 'load', 'Performance'],
});

/**
 * Signs in as the first seeded user, walks the default list 100 posts at a
 * time to the cursor of its last full page of 20 (a cursor is tied to the
 * list's sort and filters, not to its limit), and creates the posts PATCH
 * will change.
 */
export async function prepareFixture(ours: string, posts: number, connections: number): Promise<Fixture> {
  const { json: login } = await expectOk<{ accessToken: string }>(ours, '/auth/login', {
    method: 'POST',
    body: { email: seededEmail(0), password: seededPassword },
  });
  const token = login.accessToken;
  const depth = (Math.floor(posts / pageSize) - 1) * pageSize;
  const ids: string[] = [];
  const deepCursor = await cursorAt(ours, depth, (page) => ids.push(...page.map((post) => post.id)));
  const patchPaths: string[] = [];
  for (let i = 0; i < 2 * connections; i += 1) {
    const { json } = await expectOk<{ id: string }>(ours, '/posts', { method: 'POST', token, body: { title: `Patched by the bench ${i}`, content: 'Changed under load.' } });
    patchPaths.push(`/posts/${json.id}`);
  }
  return { token, ids: sample(ids, maxIds), deepCursor, deepPage: depth / pageSize + 1, patchPaths };
}

/** Reads first, then PATCH, then POST last: the posts it adds would slow what follows on FerretDB, which scans collections. */
export function scenarios(fixture: Fixture, connections: number, seconds: number, ours: string): Scenario[] {
  const get = (paths: string[]) => async (origin: string): Promise<LoadPlan> => ({ origin, method: 'GET', connections, seconds, headers: {}, paths });
  const write = { Authorization: `Bearer ${fixture.token}`, 'Content-Type': 'application/json' };
  return [
    { name: 'get-by-id', label: 'GET /posts/:id', plan: get(fixture.ids.map((id) => `/posts/${id}`)) },
    { name: 'first-page', label: 'GET /posts?limit=20', plan: get(['/posts?limit=20']) },
    {
      name: 'deep-page',
      label: `GET /posts?limit=20&cursor= (page ${fixture.deepPage.toLocaleString('en-US')})`,
      plan: get([`/posts?limit=20&cursor=${encodeURIComponent(fixture.deepCursor)}`]),
    },
    {
      name: 'update',
      label: 'PATCH /posts/:id with If-Match',
      plan: async (origin) => ({
        origin,
        method: 'PATCH',
        connections,
        seconds,
        headers: write,
        body: JSON.stringify({ title: 'Patched by the bench' }),
        paths: fixture.patchPaths,
        etags: await currentEtags(ours, fixture.patchPaths),
      }),
    },
    {
      name: 'create',
      label: 'POST /posts',
      plan: async (origin) => ({ origin, method: 'POST', connections, seconds, headers: write, body: createBody, paths: ['/posts'] }),
    },
  ];
}

/** Read through the service, after the last run has settled, so a write still in flight then is counted. */
async function currentEtags(ours: string, paths: string[]): Promise<string[]> {
  const etags: string[] = [];
  for (const path of paths) {
    const { etag } = await expectOk(ours, path);
    if (etag === null) throw new Error(`GET ${path} answered no ETag`);
    etags.push(etag);
  }
  return etags;
}

/** Up to `count` of `items`, chosen at random. */
function sample<T>(items: T[], count: number): T[] {
  const pool = [...items];
  for (let i = pool.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}
