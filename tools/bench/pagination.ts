import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import type { StoreKind } from '../../src/config';
import { maxSkip } from '../../src/http/native/bodies/list.queries';
import { createBenchDatabase } from './databases';
import { cursorAt, medianLatencies, postsUrl, requestsPerSecond } from './measure';
import { type BenchOptions, parseOptions } from './options';
import { type Outcome, type StoreResult, markdownReport, writeJsonReport } from './report';
import { serviceMain } from './paths';
import { spread } from './compare/report';
import { seedPosts } from './seed';
import { startService, unreachedLimits } from './service';

const pageSize = 20;
/** How long the timed requests of one store may take before it settles for fewer samples. */
const latencyBudgetMs = 120_000;

/**
 * How a deep page costs against the first one, by cursor and by skip, and the
 * first page's throughput with and without counting, on each store filled
 * through the repository port. A report for people; it asserts nothing.
 */
async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench:pagination: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const started = new Date();
  const outcomes: Outcome[] = [];
  for (const store of options.stores) {
    try {
      outcomes.push(await benchStore(store, options));
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      log(store, `failed: ${message}`);
      outcomes.push({ store, error: message });
    }
  }
  process.stdout.write(`${markdownReport(outcomes)}\n`);
  log('bench', `results written to ${writeJsonReport(options.out, options, outcomes, started)}`);
  if (outcomes.some((outcome) => 'error' in outcome)) process.exitCode = 1;
}

async function benchStore(store: StoreKind, options: BenchOptions): Promise<StoreResult> {
  const posts = store === 'mongodb' ? options.mongodbPosts : options.posts;
  const database = await createBenchDatabase(store);
  try {
    log(store, `seeding ${posts} posts on ${database.via}`);
    const seedStart = performance.now();
    await seedPosts(database.url, posts, (done) => log(store, `${done} posts`));
    const seedSeconds = (performance.now() - seedStart) / 1000;
    log(store, `seeded in ${seedSeconds.toFixed(0)} s`);

    // Counts and deep skips are expensive reads, limited per address: this bench asks for them on purpose.
    const service = await startService(serviceMain, database.url, unreachedLimits);
    try {
      return { store, via: database.via, posts, seedSeconds, ...(await measure(store, service.origin, posts, options)) };
    } finally {
      await service.stop();
    }
  } finally {
    await database.drop();
  }
}

async function measure(store: StoreKind, origin: string, posts: number, options: BenchOptions) {
  // The last full page: page 5,000 of 20 at 100,000 posts. Skip stops at the API's cap.
  const cursorDepth = (Math.floor(posts / pageSize) - 1) * pageSize;
  const skipDepth = Math.min(maxSkip, cursorDepth);
  log(store, `walking to the cursor of post ${cursorDepth}`);
  const cursor = await cursorAt(origin, cursorDepth);

  log(store, 'timing pages one request at a time');
  const { medians, samples } = await medianLatencies(
    {
      pageOne: postsUrl(origin),
      cursorDepth: postsUrl(origin, { cursor }),
      skipPageOne: postsUrl(origin, { skip: '0' }),
      skipDepth: postsUrl(origin, { skip: String(skipDepth) }),
    },
    options.samples,
    latencyBudgetMs,
  );

  log(store, `loading the first page with ${options.connections} connections, ${options.rounds} rounds`);
  const plain = postsUrl(origin);
  const counted = postsUrl(origin, { count: 'true' });
  const rates = { plain: [] as number[], counted: [] as number[] };
  for (let round = 0; round < options.rounds; round += 1) {
    // Who goes first takes turns, so that neither always meets a machine the other has warmed or tired.
    const order = round % 2 === 0 ? (['plain', 'counted'] as const) : (['counted', 'plain'] as const);
    for (const kind of order) rates[kind].push(await requestsPerSecond(kind === 'plain' ? plain : counted, options.connections, options.seconds));
  }

  return {
    samples,
    cursorDepthPage: cursorDepth / pageSize + 1,
    skipDepth,
    pageOneMs: medians.pageOne,
    cursorDepthMs: medians.cursorDepth,
    cursorRatio: medians.cursorDepth / medians.pageOne,
    skipPageOneMs: medians.skipPageOne,
    skipDepthMs: medians.skipDepth,
    skipRatio: medians.skipDepth / medians.skipPageOne,
    firstPageRps: spread(rates.plain),
    countedFirstPageRps: spread(rates.counted),
    /** Paired within each round: a round's two runs met the same machine. */
    uncountedRatio: spread(rates.plain.map((rate, i) => rate / rates.counted[i])),
  };
}

function log(scope: string, message: string): void {
  process.stderr.write(`[${scope}] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:pagination: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
