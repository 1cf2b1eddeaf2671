import { type Answer, type Call, send } from './client';

export interface IdentitySample {
  /** Existing posts to read by id. */
  ids: string[];
  /** The cursor of a page deep in the default list. */
  deepCursor: string;
  token: string;
}

interface ConduitList {
  articles: { favorited: boolean; author: { following: boolean } }[];
}

/** How deep the check looks for a Conduit page with posts of followed authors and of the reader. */
const maxConduitOffset = 980;

/** Fields a write sets from the clock or the store's id sequence: the only ones allowed to differ between two writes. */
const masked = ['id', 'createdAt', 'updatedAt'];

/**
 * Checks that the service and the baseline answer the same for every request
 * the bench sends: reads byte for byte (status, Content-Type, ETag, Vary, body), signed in and not,
 * the Conduit API's lists among them (pages that show `favorited` and `following` both ways),
 * writes with their ids and timestamps masked, and each server's new post
 * read back byte for byte through the other, so that the baseline writes what
 * the service reads. Answers what it checked; throws at the first difference.
 */
export async function checkIdentity(ours: string, baseline: string, { ids, deepCursor, token }: IdentitySample): Promise<string[]> {
  const checked: string[] = [];
  const same = async (label: string, path: string, call: Call = {}, mask = false) => {
    const [a, b] = await Promise.all([send(ours, path, call), send(baseline, path, call)]);
    compare(label, a, b, mask);
    checked.push(label);
    return [a, b];
  };

  for (const id of ids) await same(`GET /posts/${id}`, `/posts/${id}`);
  await same('GET /posts?limit=20', '/posts?limit=20');
  await same('GET /posts?limit=20&cursor=<deep>', `/posts?limit=20&cursor=${encodeURIComponent(deepCursor)}`);

  // Signed in: each post says whether the caller favorites it, and a post's ETag says it too.
  const [signedIn] = await same('GET /posts?limit=20 signed in', '/posts?limit=20', { token });
  const flags = (JSON.parse(signedIn.body) as { items: { id: string; favorited?: boolean }[] }).items;
  if (flags.some((post) => typeof post.favorited !== 'boolean')) throw new Error('identity check: a signed-in page must say favorited on every post');
  for (const favorited of [true, false]) {
    const post = flags.find((item) => item.favorited === favorited);
    if (post !== undefined) await same(`GET /posts/:id signed in, favorited: ${favorited}`, `/posts/${post.id}`, { token });
  }
  const [feed] = await same('GET /feed?limit=20', '/feed?limit=20', { token });
  const { nextCursor } = JSON.parse(feed.body) as { nextCursor: string | null };
  if (nextCursor !== null) await same('GET /feed?limit=20&cursor=<page 2>', `/feed?limit=20&cursor=${encodeURIComponent(nextCursor)}`, { token });

  // The Conduit API's lists, with the Conduit scheme (`Token`) and anonymous: slugs, authors' profiles, both flags, the count.
  const conduit: Call = { token, scheme: 'Token' };
  const shown = new Set<string>();
  const conduitPage = async (label: string, path: string, call: Call = {}) => {
    const [answer] = await same(label, path, call);
    for (const { favorited, author } of (JSON.parse(answer.body) as ConduitList).articles) shown.add(`favorited: ${favorited}`).add(`following: ${author.following}`);
  };
  await conduitPage('GET /api/articles?limit=20 signed in', '/api/articles?limit=20', conduit);
  await conduitPage('GET /api/articles?limit=20', '/api/articles?limit=20');
  // The reader's own posts lead the list; the first page that also has posts of authors it follows, found through ours.
  let mixed: number | undefined;
  for (let offset = 0; mixed === undefined && offset <= maxConduitOffset; offset += 20) {
    const { articles } = JSON.parse((await send(ours, `/api/articles?limit=20&offset=${offset}`, conduit)).body) as ConduitList;
    if (new Set(articles.map(({ author }) => author.following)).size === 2) mixed = offset;
  }
  if (mixed === undefined) throw new Error(`identity check: no Conduit page up to offset ${maxConduitOffset} has posts of followed authors and of the reader`);
  await conduitPage('GET /api/articles?limit=20&offset=<followed and not> signed in', `/api/articles?limit=20&offset=${mixed}`, conduit);
  await conduitPage('GET /api/articles/feed?limit=20', '/api/articles/feed?limit=20', conduit);
  await conduitPage('GET /api/articles/feed?limit=20&offset=20', '/api/articles/feed?limit=20&offset=20', conduit);
  const missing = ['favorited: true', 'favorited: false', 'following: true', 'following: false'].filter((flag) => !shown.has(flag));
  if (missing.length > 0) throw new Error(`identity check: the Conduit lists checked must show every flag both ways, and none says ${missing.join(', ')}`);

  const newPost = {
    title: 'Identity check: Ünïcode, 漢字 and 🚀',
    description: 'Both servers, «one» answer',
    content: 'Written by both servers; Straße and ΣΊΣΥΦΟΣ fold alike.',
    publicationDate: '2021-06-15T08:30:00.125Z',
    tags: ['Bench', ' bench ', 'Zeta', 'Ärger', 'alpha'],
  };
  // One after the other, so that each server meets the store alone.
  const created = [await send(ours, '/posts', { method: 'POST', token, body: newPost }), await send(baseline, '/posts', { method: 'POST', token, body: newPost })];
  compare('POST /posts', created[0], created[1], true);
  checked.push('POST /posts (ids and timestamps masked)');

  const [oursId, baselineId] = created.map((answer) => (JSON.parse(answer.body) as { id: string }).id);
  const patch = { title: 'Identity check, patched', description: '', tags: ['Omega', 'alpha'] };
  const patched = await Promise.all([
    send(ours, `/posts/${oursId}`, { method: 'PATCH', token, ifMatch: '"1"', body: patch }),
    send(baseline, `/posts/${baselineId}`, { method: 'PATCH', token, ifMatch: '"1"', body: patch }),
  ]);
  compare('PATCH /posts/:id with If-Match and tags', patched[0], patched[1], true);
  checked.push('PATCH /posts/:id with If-Match and tags (ids and timestamps masked)');
  const retitled = await Promise.all([
    send(ours, `/posts/${oursId}`, { method: 'PATCH', token, ifMatch: '"2"', body: { title: 'Patched by the bench' } }),
    send(baseline, `/posts/${baselineId}`, { method: 'PATCH', token, ifMatch: '"2"', body: { title: 'Patched by the bench' } }),
  ]);
  compare('PATCH /posts/:id with If-Match', retitled[0], retitled[1], true);
  checked.push('PATCH /posts/:id with If-Match, title only (ids and timestamps masked)');

  for (const id of [oursId, baselineId]) await same(`GET /posts/${id} written by ${id === oursId ? 'ours' : 'the baseline'}`, `/posts/${id}`);
  return checked;
}

function compare(label: string, ours: Answer, baseline: Answer, mask: boolean): void {
  const fields: [string, unknown, unknown][] = [
    ['status', ours.status, baseline.status],
    ['Content-Type', ours.contentType, baseline.contentType],
    ['ETag', ours.etag, baseline.etag],
    ['Vary', ours.vary, baseline.vary],
    ['Location', maskLocation(ours.location), maskLocation(baseline.location)],
    ['body', mask ? maskBody(ours.body) : ours.body, mask ? maskBody(baseline.body) : baseline.body],
  ];
  for (const [name, a, b] of fields) {
    if (a !== b) throw new Error(`identity check failed on ${label}: the ${name} differs${difference(String(a), String(b))}`);
  }
  if (ours.status >= 300) throw new Error(`identity check failed on ${label}: both answered ${ours.status}: ${ours.body.slice(0, 300)}`);
}

function maskBody(body: string): string {
  const json = JSON.parse(body) as Record<string, unknown>;
  for (const field of masked) if (field in json) json[field] = `<${field}>`;
  return JSON.stringify(json);
}

function maskLocation(location: string | null): string | null {
  return location?.replace(/[^/]+$/, '<id>') ?? null;
}

/** Where two texts part, with a little of each from there. */
function difference(a: string, b: string): string {
  let at = 0;
  while (at < a.length && a[at] === b[at]) at += 1;
  const from = Math.max(0, at - 40);
  return ` at character ${at}:\n  ours:     ${JSON.stringify(a.slice(from, at + 80))}\n  baseline: ${JSON.stringify(b.slice(from, at + 80))}`;
}
