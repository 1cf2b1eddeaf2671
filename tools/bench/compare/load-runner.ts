import autocannon, { type RequestSpec, type Result } from 'autocannon';

/** One load run, as the bench hands it to this process on its standard input. */
export interface LoadPlan {
  origin: string;
  method: 'GET' | 'POST' | 'PATCH';
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  body?: string;
  /** Each request goes to one of these, at random. */
  paths: string[];
  /**
   * PATCH only: each request carries its post's current ETag in If-Match. A post is in at most one request at a
   * time and gets the ETag its answer brought back, so no write should ever meet a version it did not expect.
   */
  etags?: string[];
}

/** What the bench reads back from this process's standard output. */
export interface LoadResult {
  requestsPerSecond: number;
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Answers by status code. */
  statusCodes: Record<string, number>;
}

/**
 * Runs autocannon in a process of its own, so that generating the load never
 * takes the event loop of the bench or of a server. A slow store (FerretDB)
 * may take many seconds per request under load: that is its throughput, so
 * the timeout is long.
 */
async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const plan = JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadPlan;
  const result = await autocannon({
    url: plan.origin,
    connections: plan.connections,
    duration: plan.seconds,
    timeout: 60,
    headers: plan.headers,
    requests: [plan.etags === undefined ? request(plan) : versionedRequest(plan, plan.etags)],
  });
  process.stdout.write(`${JSON.stringify(summary(result))}\n`);
}

function request({ method, paths, body }: LoadPlan): RequestSpec {
  if (paths.length === 1) return { method, path: paths[0], body };
  return { method, body, setupRequest: (spec) => ({ ...spec, path: paths[Math.floor(Math.random() * paths.length)] }) };
}

/** Takes a post nobody is writing for each request and puts it back, with its new ETag, when the answer comes. */
function versionedRequest({ method, paths, body }: LoadPlan, etags: string[]): RequestSpec {
  const free = paths.map((path, i) => ({ path, etag: etags[i] }));
  return {
    method,
    body,
    setupRequest: (spec, context) => {
      // Only a request lost to an error keeps its post out; with twice as many posts as connections, some are left.
      const post = free.pop() ?? { path: paths[0], etag: etags[0] };
      context.post = post;
      return { ...spec, path: post.path, headers: { ...spec.headers, 'If-Match': post.etag } };
    },
    onResponse: (_status, _body, context, headers) => {
      const post = context.post as { path: string; etag: string };
      const etag = Object.entries(headers).find(([name]) => name.toLowerCase() === 'etag')?.[1];
      if (etag !== undefined) post.etag = etag;
      free.unshift(post);
    },
  };
}

function summary(result: Result): LoadResult {
  return {
    requestsPerSecond: result.requests.total / result.duration,
    requests: result.requests.total,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.mean,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`load-runner: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
