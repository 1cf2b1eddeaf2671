import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreKind } from '../../src/config';
import { freePort } from '../ferretdb/launch';
import { seedStore } from '../seed/seed';
import { checkIdentity } from './compare/identity';
import { type LoadResult, runLoad } from './compare/load';
import { peakRssMiB, restartPeakRss } from './compare/memory';
import { type CompareOptions, UsageError, parseOptions, usage } from './compare/options';
import { type Scenario, prepareFixture, scenarios } from './compare/scenarios';
import {
  type ScenarioOutcome, type ServerOutcome, type StoreOutcome, type StoreResult,
  describe, markdown, writeMarkdown, writeStoreJson,
} from './compare/report';
import { createBenchDatabase } from './databases';
import { baselineMain } from './paths';
import { type RunningService, startServer, startService } from './service';

/**
 * `npm run bench`: the service against a baseline of Express 5 and the raw
 * driver (tools/bench/baseline) on the same seeded database, store by store,
 * after checking that both answer the same. A report for people; the only
 * thing it insists on is that no request fails.
 */
async function main(): Promise<void> {
  let options: CompareOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${usage}\n`);
    process.exit(2);
  }
  const started = new Date();
  const outcomes: StoreOutcome[] = [];
  for (const store of options.stores) {
    let outcome: StoreOutcome;
    try {
      outcome = await benchStore(store, options);
    } catch (error) {
      // fetch says only "fetch failed"; its cause says what failed.
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      const message = `${error instanceof Error ? error.message : String(error)}${cause ? ` (${cause})` : ''}`;
      log(store, `FAILED: ${message}`);
      outcome = { store, error: message };
    }
    outcomes.push(outcome);
    log(store, `results written to ${writeStoreJson(options.out, started, options, outcome)}`);
  }
  const report = writeMarkdown(options.out, started, options, outcomes);
  process.stdout.write(`${markdown(started, options, outcomes)}\n`);
  log('bench', `table written to ${report}`);

  const failures = outcomes.flatMap((outcome) =>
    'error' in outcome
      ? [`${outcome.store} failed`]
      : outcome.scenarios.flatMap((s) => [describe('ours', s.ours), describe('baseline', s.baseline)].filter(Boolean).map((text) => `${outcome.store} ${s.label}: ${text}`)),
  );
  if (failures.length > 0) {
    log('bench', `NOT CLEAN: every request must succeed, and these did not:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

async function benchStore(store: StoreKind, options: CompareOptions): Promise<StoreResult> {
  const posts = store === 'mongodb' ? options.mongodbPosts : options.posts;
  const connections = store === 'mongodb' ? options.mongodbConnections : options.connections;
  const database = await createBenchDatabase(store);
  try {
    log(store, `seeding ${options.users} users and ${posts} posts on ${database.via}`);
    const seeded = await seedStore(database.url, { users: options.users, posts });
    log(store, `seeded in ${seeded.seconds.toFixed(1)} s`);

    // Its logs go to /dev/null (startService ignores the service's standard output); --log-level says which.
    const ours = await startService(options.service, database.url, { LOG_LEVEL: options.logLevel });
    try {
      const port = await freePort();
      const baseline = await startServer('baseline', [baselineMain, '--database-url', database.url, '--port', String(port)], port);
      try {
        log(store, 'signing in, walking to the deep page, creating the posts to patch');
        const fixture = await prepareFixture(ours.origin, seeded.posts, connections);
        const identityChecks = await checkIdentity(ours.origin, baseline.origin, { ids: fixture.ids.slice(0, 5), deepCursor: fixture.deepCursor, token: fixture.token });
        log(store, `identity checked: ${identityChecks.length} requests answered the same`);
        const rssSince = restartPeakRss(ours.pid) && restartPeakRss(baseline.pid) ? 'scenario' : 'process start';
        const outcomes: ScenarioOutcome[] = [];
        for (const scenario of scenarios(fixture, connections, options.duration, ours.origin)) {
          outcomes.push(await runScenario(store, scenario, ours, baseline, options.rounds));
        }
        return { store, via: database.via, seeded, connections, identityChecks, rssSince, scenarios: outcomes };
      } finally {
        await baseline.stop();
      }
    } finally {
      await ours.stop();
    }
  } finally {
    await database.drop();
  }
}

/** A warm-up run of each server, then `rounds` rounds of ours then the baseline. */
async function runScenario(store: StoreKind, scenario: Scenario, ours: RunningService, baseline: RunningService, rounds: number): Promise<ScenarioOutcome> {
  restartPeakRss(ours.pid);
  restartPeakRss(baseline.pid);
  const run = async (server: RunningService) => {
    const result = await runLoad(await scenario.plan(server.origin));
    await settle(server.origin);
    return result;
  };
  const warmUps = [await run(ours), await run(baseline)];
  const runs: [LoadResult[], LoadResult[]] = [[], []];
  for (let round = 0; round < rounds; round += 1) {
    runs[0].push(await run(ours));
    runs[1].push(await run(baseline));
  }
  const outcome = {
    name: scenario.name,
    label: scenario.label,
    ours: serverOutcome(warmUps[0], runs[0], peakRssMiB(ours.pid)),
    baseline: serverOutcome(warmUps[1], runs[1], peakRssMiB(baseline.pid)),
  };
  const ratio = outcome.ours.median.requestsPerSecond / outcome.baseline.median.requestsPerSecond;
  log(store, `${scenario.label}: ours ${Math.round(outcome.ours.median.requestsPerSecond)} req/s, baseline ${Math.round(outcome.baseline.median.requestsPerSecond)} req/s, ratio ${ratio.toFixed(2)}`);
  for (const problem of [describe('ours', outcome.ours), describe('baseline', outcome.baseline)].filter(Boolean)) log(store, `ERRORS in ${scenario.label}: ${problem}`);
  return { ...outcome, ratio };
}

function serverOutcome(warmUp: LoadResult, rounds: LoadResult[], peakRss: number | null): ServerOutcome {
  const all = [warmUp, ...rounds];
  const sum = (field: 'errors' | 'timeouts' | 'non2xx') => all.reduce((total, result) => total + result[field], 0);
  const emptyRuns = all.filter((result) => result.requests === 0).length;
  const otherStatusCodes: Record<string, number> = {};
  for (const result of all) {
    for (const [code, count] of Object.entries(result.statusCodes)) if (!code.startsWith('2')) otherStatusCodes[code] = (otherStatusCodes[code] ?? 0) + count;
  }
  // The lower of the two middle rounds when their count is even.
  const median = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor((rounds.length - 1) / 2)];
  return { warmUp, rounds, median, peakRssMiB: peakRss, errors: sum('errors'), timeouts: sum('timeouts'), non2xx: sum('non2xx'), otherStatusCodes, emptyRuns };
}

/**
 * Requests still in flight when a run stops are answered after it: one more
 * request, queued behind them for the store, and a short pause let them
 * finish before the other server's run starts.
 */
async function settle(origin: string): Promise<void> {
  await fetch(`${origin}/posts?limit=1`).then((response) => response.arrayBuffer());
  await sleep(250);
}

function log(scope: string, message: string): void {
  process.stderr.write(`[${scope}] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
