import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { StoreKind } from '../../../src/config';
import { type LoadResult, runLoad } from '../compare/load';
import { type BenchDatabase, createBenchDatabase } from '../databases';
import { startService } from '../service';
import { type AbuseOptions, type Build, UsageError, parseOptions, usage } from './options';
import { type ProbeStats, probe } from './probe';
import { type RoundResult, markdownReport } from './report';

/**
 * A search that matches nothing, so that it reads as much as the service lets it. Without `count=true`, which
 * a build that refuses counted searches answers with a cheap 400: this is the costliest search every build takes.
 */
export const searchPath = '/posts?q=zqxjvkwqzqxj&limit=100';
/** 1,000,000 bytes of nested arrays, posted anonymously to a path no route answers. */
export const nestedBody = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
export const nestedPath = '/no/such/path';

/**
 * `npm run bench:abuse`: what one well-behaved client sees (`GET /posts/:id` and `/healthz`, one request at
 * a time) while anonymous clients run worst-case searches and post deeply nested bodies, against each build
 * given, on each store. A report for people; it asserts nothing.
 */
async function main(): Promise<void> {
  let options: AbuseOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench:abuse: ${error.message}\n${usage}\n`);
    process.exit(2);
  }
  const started = new Date();
  const results: RoundResult[] = [];
  const failures: string[] = [];
  for (const store of options.stores) {
    try {
      results.push(...(await benchStore(store, options)));
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      log(store, `failed: ${message}`);
      failures.push(`${store}: ${message}`);
    }
  }
  const report = markdownReport(results, options);
  process.stdout.write(`${report}\n${failures.map((failure) => `FAILED ${failure}\n`).join('')}`);
  mkdirSync(options.out, { recursive: true });
  const file = join(options.out, `abuse-${started.toISOString().replaceAll(':', '-')}.json`);
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version };
  writeFileSync(file, `${JSON.stringify({ started, machine, options, results, failures }, null, 2)}\n`);
  log('bench', `results written to ${file}`);
  if (failures.length > 0) process.exitCode = 1;
}

async function benchStore(store: StoreKind, options: AbuseOptions): Promise<RoundResult[]> {
  const posts = store === 'mongodb' ? options.mongodbPosts : options.posts;
  // Each build gets a database seeded by its own seeder: builds may differ in schema.
  const databases = new Map<Build, BenchDatabase>();
  try {
    for (const build of options.builds) {
      const database = await createBenchDatabase(store);
      databases.set(build, database);
      log(store, `seeding ${posts} posts for ${build.label} on ${database.via}`);
      await seed(build, database.url, posts);
    }
    const results: RoundResult[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      // Alternate who goes first, so that neither always meets the machine in the same state.
      const order = round % 2 === 1 ? options.builds : [...options.builds].reverse();
      for (const build of order) {
        log(store, `round ${round}: ${build.label}`);
        results.push({ store, posts, round, build: build.label, ...(await measure(build, databases.get(build)!.url, options)) });
      }
    }
    return results;
  } finally {
    for (const database of databases.values()) await database.drop();
  }
}

async function seed(build: Build, url: string, posts: number): Promise<void> {
  const seeder = join(dirname(build.main), '../tools/seed/main.js');
  await promisify(execFile)(process.execPath, [seeder, '--users', '100', '--posts', String(posts), '--database-url', url], {
    maxBuffer: 16 * 1024 * 1024,
  });
}

async function measure(build: Build, databaseUrl: string, options: AbuseOptions) {
  // The log level as shipped; its lines go to /dev/null.
  const service = await startService(build.main, databaseUrl, { LOG_LEVEL: 'info' });
  try {
    const page = (await (await fetch(`${service.origin}/posts?limit=1`)).json()) as { items: { id: string }[] };
    const urls = { post: `${service.origin}/posts/${encodeURIComponent(page.items[0].id)}`, healthz: `${service.origin}/healthz` };

    const quiet = await probe(urls, delay(options.quietSeconds));
    const loads: Promise<LoadResult | null>[] = [
      options.searchers === 0
        ? Promise.resolve(null)
        : runLoad({ origin: service.origin, method: 'GET', connections: options.searchers, seconds: options.seconds, headers: {}, paths: [searchPath] }),
      options.nesters === 0
        ? Promise.resolve(null)
        : runLoad({
            origin: service.origin,
            method: 'POST',
            connections: options.nesters,
            seconds: options.seconds,
            headers: { 'content-type': 'application/json' },
            body: nestedBody,
            paths: [nestedPath],
          }),
    ];
    // The probe starts with the load and ends with it (autocannon's runs take their duration, give or take).
    const abused = probe(urls, Promise.all(loads));
    const [searches, nested] = await Promise.all(loads);
    return { quiet: quiet as Record<'post' | 'healthz', ProbeStats>, abused: (await abused) as Record<'post' | 'healthz', ProbeStats>, searches, nested };
  } finally {
    await service.stop();
  }
}

function delay(seconds: number): Promise<void> {
  return new Promise((done) => setTimeout(done, seconds * 1000));
}

function log(scope: string, message: string): void {
  process.stderr.write(`[${scope}] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:abuse: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
