import { seededEmail, seededPassword } from '../../seed/dataset';
import { cursorAt } from '../measure';
import { expectOk, send } from './client';
import type { LoadPlan } from './load';

/** Every scenario's name, in the order they run: reads first, then PATCH, then POST last (see scenarios()). */
export const scenarioNames = ['get-by-id', 'first-page', 'deep-page', 'feed', 'first-page-signed-in', 'conduit-articles', 'conduit-feed', 'update', 'create'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/**
 * What a run without --scenarios loads: all but the Conduit API's lists, which would add about a quarter to
 * a default run that already takes over an hour; `--scenarios conduit-articles,conduit-feed` loads them.
 */
export const defaultScenarioNames: readonly ScenarioName[] = scenarioNames.filter((name) => !name.startsWith('conduit-'));

/** One kind of request, loaded on each server in turn. */
export interface Scenario {
  name: ScenarioName;
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
  /** How many users the signed-in user follows: every other seeded user, up to maxFollowees. */
  followees: number;
  /** Of the first page of 20, how many the signed-in user favorites: every other post. */
  favorited: number;
  /** Of the first page of 20 of the Conduit feed, how many the signed-in user favorites: every other post. */
  conduitFeedFavorited: number;
}

/** What the signed-in user's profile says, so that the Conduit lists show a bio and an image that are not the defaults. */
export const readerProfile = { bio: 'Reads «every» feed 🚀', image: 'https://example.com/images/reader-0.png' };

const pageSize = 20;
/** How many different ids GET /posts/:id spreads over. */
const maxIds = 1_000;
/** How many users the signed-in user follows, at most, for GET /feed. */
export const maxFollowees = 1_000;
/** Follows and favorites written at once while the fixture is made. */
const writesInFlight = 8;
const createBody = JSON.stringify({
  title: 'A post from the load generator',
  content: 'Created under load by npm run bench, with a few tags to write alongside it. '.repeat(8),
  tags: ['bench', 'load', 'Performance'],
});

/**
 * Signs in as the first seeded user, walks the default list 100 posts at a
 * time to the cursor of its last full page of 20 (a cursor is tied to the
 * list's sort and filters, not to its limit), and creates the posts PATCH
 * will change. Then, through the API, the user follows every other seeded
 * user up to maxFollowees, for the feed, and favorites every other post of
 * the first page, which the new posts now lead, so that a signed-in page
 * says both `favorited: true` and `false`; so for the first page of the
 * Conduit feed. Last, it gives the user a bio and an image.
 */
export async function prepareFixture(ours: string, posts: number, connections: number): Promise<Fixture> {
  const { json: login } = await expectOk<{ accessToken: string; user: { id: string } }>(ours, '/auth/login', {
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
  const followees = (await otherUsers(ours, login.user.id, maxFollowees)).map((id) => `/users/me/following/${encodeURIComponent(id)}`);
  await putAll(ours, token, followees);
  const { json: firstPage } = await expectOk<{ items: { id: string }[] }>(ours, `/posts?limit=${pageSize}`);
  const favorites = firstPage.items.filter((_, i) => i % 2 === 0).map(({ id }) => `/users/me/favorites/${encodeURIComponent(id)}`);
  await putAll(ours, token, favorites);
  // The Conduit feed's first page (newest created first) is of other posts: every other one favorited too.
  const { json: conduitFeed } = await expectOk<{ articles: { slug: string }[] }>(ours, `/api/articles/feed?limit=${pageSize}`, { token, scheme: 'Token' });
  const feedFavorites = conduitFeed.articles.filter((_, i) => i % 2 === 0);
  for (const { slug } of feedFavorites) await expectOk(ours, `/api/articles/${encodeURIComponent(slug)}/favorite`, { method: 'POST', token, scheme: 'Token' });
  await expectOk(ours, '/api/user', { method: 'PUT', token, scheme: 'Token', body: { user: readerProfile } });
  return {
    token,
    ids: sample(ids, maxIds),
    deepCursor,
    deepPage: depth / pageSize + 1,
    patchPaths,
    followees: followees.length,
    favorited: favorites.length,
    conduitFeedFavorited: feedFavorites.length,
  };
}

/** Up to `count` users other than `self`, in the order of GET /users, walked 100 at a time. */
async function otherUsers(ours: string, self: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const { json }: { json: { items: { id: string }[]; nextCursor: string | null } } = await expectOk(ours, `/users?limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    ids.push(...json.items.map(({ id }) => id).filter((id) => id !== self));
    cursor = json.nextCursor;
  } while (cursor !== null && ids.length < count);
  return ids.slice(0, count);
}

/** PUT to each path as the signed-in user, a few at a time: follows and favorites, idempotent. */
async function putAll(ours: string, token: string, paths: string[]): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < paths.length) {
      const path = paths[next];
      next += 1;
      const answer = await send(ours, path, { method: 'PUT', token });
      if (answer.status !== 204) throw new Error(`PUT ${ours}${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: writesInFlight }, writer));
}

/**
 * Reads first, then PATCH, then POST last: the posts it adds would slow what follows on FerretDB, which scans
 * collections. Only those named in `only`, in this order.
 */
export function scenarios(fixture: Fixture, connections: number, seconds: number, ours: string, only: readonly ScenarioName[] = scenarioNames): Scenario[] {
  const signedIn = { Authorization: `Bearer ${fixture.token}` };
  // The Conduit API's scheme, as its clients send it.
  const conduitSignedIn = { Authorization: `Token ${fixture.token}` };
  const get = (paths: string[], headers: Record<string, string> = {}) => async (origin: string): Promise<LoadPlan> => ({ origin, method: 'GET', connections, seconds, headers, paths });
  const write = { ...signedIn, 'Content-Type': 'application/json' };
  const all: Scenario[] = [
    { name: 'get-by-id', label: 'GET /posts/:id', plan: get(fixture.ids.map((id) => `/posts/${id}`)) },
    { name: 'first-page', label: 'GET /posts?limit=20', plan: get(['/posts?limit=20']) },
    {
      name: 'deep-page',
      label: `GET /posts?limit=20&cursor= (page ${fixture.deepPage.toLocaleString('en-US')})`,
      plan: get([`/posts?limit=20&cursor=${encodeURIComponent(fixture.deepCursor)}`]),
    },
    { name: 'feed', label: `GET /feed?limit=20 (${fixture.followees.toLocaleString('en-US')} followees)`, plan: get(['/feed?limit=20'], signedIn) },
    {
      name: 'first-page-signed-in',
      label: `GET /posts?limit=20 signed in (${fixture.favorited} of 20 favorited)`,
      plan: get(['/posts?limit=20'], signedIn),
    },
    {
      name: 'conduit-articles',
      label: 'GET /api/articles?limit=20 signed in (with articlesCount)',
      plan: get(['/api/articles?limit=20'], conduitSignedIn),
    },
    {
      name: 'conduit-feed',
      label: `GET /api/articles/feed?limit=20 (${fixture.followees.toLocaleString('en-US')} followees, ${fixture.conduitFeedFavorited} of 20 favorited)`,
      plan: get(['/api/articles/feed?limit=20'], conduitSignedIn),
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
  return all.filter(({ name }) => only.includes(name));
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
