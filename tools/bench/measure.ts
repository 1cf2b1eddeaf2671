import { performance } from 'node:perf_hooks';
import autocannon, { type Result } from 'autocannon';

interface PageJson {
  items: { id: string }[];
  nextCursor: string | null;
}

/** `GET /posts` with these query parameters (a page of 20 unless `limit` says otherwise). */
export function postsUrl(origin: string, params: Record<string, string> = {}): string {
  return `${origin}/posts?${new URLSearchParams({ limit: '20', ...params })}`;
}

/**
 * The cursor of the page that starts `offset` posts into the list, got as a
 * client would get it: by walking the pages before it, 100 posts at a time;
 * `onPage` is shown the posts of each page walked.
 */
export async function cursorAt(origin: string, offset: number, onPage?: (posts: { id: string }[]) => void): Promise<string> {
  let cursor: string | undefined;
  for (let reached = 0; reached < offset; ) {
    const limit = Math.min(100, offset - reached);
    const response = await get(postsUrl(origin, { limit: String(limit), ...(cursor !== undefined && { cursor }) }));
    const page = (await response.json()) as PageJson;
    onPage?.(page.items);
    if (page.nextCursor === null) throw new Error(`the list ends before ${offset} posts`);
    cursor = page.nextCursor;
    reached += limit;
  }
  if (cursor === undefined) throw new Error('a cursor needs an offset of at least 1');
  return cursor;
}

export interface Latencies<K extends string> {
  /** Median milliseconds of a whole request (sent until its body is read), by page kind. */
  medians: Record<K, number>;
  samples: number;
}

/**
 * Times one request at a time, taking the pages in turn (round-robin) so that
 * whatever else the machine does meanwhile weighs on all of them alike; stops
 * after `samples` rounds, or earlier once `budgetMs` is spent.
 */
export async function medianLatencies<K extends string>(urls: Record<K, string>, samples: number, budgetMs: number): Promise<Latencies<K>> {
  const kinds = Object.keys(urls) as K[];
  const warmUp = Math.min(10, samples);
  for (let round = 0; round < warmUp; round += 1) for (const kind of kinds) await timed(urls[kind]);
  const times = Object.fromEntries(kinds.map((kind) => [kind, [] as number[]])) as Record<K, number[]>;
  const deadline = performance.now() + budgetMs;
  let rounds = 0;
  while (rounds < samples && (rounds < 5 || performance.now() < deadline)) {
    for (const kind of kinds) times[kind].push(await timed(urls[kind]));
    rounds += 1;
  }
  const medians = Object.fromEntries(kinds.map((kind) => [kind, median(times[kind])])) as Record<K, number>;
  return { medians, samples: rounds };
}

/**
 * Requests per second with `connections` clients, each sending its next
 * request once the last is answered. Runs are a number of requests, not a
 * time, so that none is cut off in flight to weigh on the next run: a probe
 * of one request per client sizes a warm-up, whose rate sizes the measured run
 * to about `seconds` (at least one request per client, for a slow store).
 */
export async function requestsPerSecond(url: string, connections: number, seconds: number): Promise<number> {
  const runSize = (rate: number) => Math.max(connections, Math.round(rate * seconds));
  const probe = await load(url, connections, connections);
  const warmUp = await load(url, connections, runSize(rate(probe)));
  return rate(await load(url, connections, runSize(rate(warmUp))));
}

async function load(url: string, connections: number, amount: number): Promise<Result> {
  // A run ends at the first tick after its last answer: frequent ticks keep its duration close to the truth.
  // A slow store (FerretDB) may take many seconds per request under load: that is its throughput, not a timeout.
  const result = await autocannon({ url, connections, amount, sampleInt: 100, timeout: 300 });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`GET ${url}: ${result.errors} errors (${result.timeouts} timeouts) and ${result.non2xx} answers other than 2xx under load`);
  }
  return result;
}

function rate(result: Result): number {
  return result.requests.total / result.duration;
}

async function timed(url: string): Promise<number> {
  const start = performance.now();
  const response = await get(url);
  await response.arrayBuffer();
  return performance.now() - start;
}

async function get(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return response;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
