import 'reflect-metadata';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreKind } from '../../src/config';
import { freePort } from '../ferretdb/launch';
import { seedStore } from '../seed/seed';
import { checkIdentity } from './compare/identity';
import { cpuMs } from './compare/cpu';
import { runLoad } from './compare/load';
import { peakRssMiB, restartPeakRss } from './compare/memory';
import { type CompareOptions, type LogLevel, UsageError, parseOptions, usage } from './compare/options';
import { type Scenario, prepareFixture, scenarios } from './compare/scenarios';
import {
  type Run, type ScenarioOutcome, type ServerOutcome, type StoreOutcome, type StoreResult,
  describe, markdown, spread, writeMarkdown, writeStoreJson,
} from './compare/report';
import { createBenchDatabase } from './databases';
import { baselineMain } from './paths';
import { type RunningService, startServer, startService, unreachedLimits } from './service';

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
      : outcome.scenarios.flatMap((s) =>
          [...s.ours.map((o) => describe(`ours (${o.logLevel})`, o)), describe('baseline', s.baseline)].filter(Boolean).map((text) => `${outcome.store} ${s.label}: ${text}`),
        ),
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
  const servers: Contender[] = [];
  try {
    log(store, `seeding ${options.users} users and ${posts} posts on ${database.via}`);
    const seeded = await seedStore(database.url, { users: options.users, posts });
    log(store, `seeded in ${seeded.seconds.toFixed(1)} s`);

    // One service per log level; their logs go to /dev/null (startService ignores the service's standard output).
    // The write limit is still counted on every write, but set where the load never reaches it: the baseline
    // has none to refuse with, and a 429 is not the work being compared.
    for (const logLevel of options.logLevels) {
      const env = { LOG_LEVEL: logLevel.replace('+timing', ''), SERVER_TIMING: String(logLevel.endsWith('+timing')), ...unreachedLimits };
      servers.push({ name: `ours (${logLevel})`, logLevel, server: await startService(options.service, database.url, env) });
    }
    const port = await freePort();
    const baseline: Contender = { name: 'baseline', server: await startServer('baseline', [baselineMain, '--database-url', database.url, '--port', String(port)], port) };
    servers.push(baseline);
    const ours = servers.filter((contender) => contender !== baseline);

    log(store, 'signing in, walking to the deep page, creating the posts to patch');
    const fixture = await prepareFixture(ours[0].server.origin, seeded.posts, connections);
    const identityChecks: string[] = [];
    for (const contender of ours) {
      identityChecks.push(...(await checkIdentity(contender.server.origin, baseline.server.origin, { ids: fixture.ids.slice(0, 5), deepCursor: fixture.deepCursor, token: fixture.token })));
    }
    log(store, `identity checked: ${identityChecks.length} requests answered the same`);
    const rssSince = servers.every((contender) => restartPeakRss(contender.server.pid)) ? 'scenario' : 'process start';
    const outcomes: ScenarioOutcome[] = [];
    for (const scenario of scenarios(fixture, connections, options.duration, ours[0].server.origin, options.scenarios)) {
      outcomes.push(await runScenario(store, scenario, ours, baseline, options.rounds));
    }
    return { store, via: database.via, seeded, connections, identityChecks, rssSince, scenarios: outcomes };
  } catch (error) {
    // What a server said of it goes with the failure: the baseline writes a 500's cause on its standard error.
    const said = servers.map(({ name, server }) => [name, server.errorOutput()] as const).filter(([, text]) => text !== '');
    if (error instanceof Error) error.message += said.map(([name, text]) => `\n  ${name} said: ${text}`).join('');
    throw error;
  } finally {
    for (const contender of servers) await contender.server.stop();
    await database.drop();
  }
}

interface Contender {
  name: string;
  logLevel?: LogLevel;
  server: RunningService;
}

/**
 * A warm-up run of each server, then `rounds` rounds in which every server runs once, who goes first taking
 * turns, so that none always meets the machine just after the same other. Ratios are paired within a round.
 */
async function runScenario(store: StoreKind, scenario: Scenario, ours: Contender[], baseline: Contender, rounds: number): Promise<ScenarioOutcome> {
  const contenders = [...ours, baseline];
  for (const contender of contenders) restartPeakRss(contender.server.pid);
  const run = async ({ server }: Contender): Promise<Run> => {
    const cpuBefore = cpuMs(server.pid);
    const load = await runLoad(await scenario.plan(server.origin));
    const cpu = cpuMs(server.pid) - cpuBefore;
    await settle(server.origin);
    return { load, cpuMsPerRequest: load.requests === 0 ? Number.NaN : cpu / load.requests };
  };
  const runs = new Map<Contender, { warmUp: Run; rounds: Run[] }>();
  for (const contender of contenders) runs.set(contender, { warmUp: await run(contender), rounds: [] });
  for (let round = 0; round < rounds; round += 1) {
    for (let turn = 0; turn < contenders.length; turn += 1) {
      const contender = contenders[(round + turn) % contenders.length];
      runs.get(contender)!.rounds.push(await run(contender));
    }
  }
  const outcomeOf = (contender: Contender) => serverOutcome(runs.get(contender)!.warmUp, runs.get(contender)!.rounds, peakRssMiB(contender.server.pid));
  const base = outcomeOf(baseline);
  const outcome: ScenarioOutcome = {
    name: scenario.name,
    label: scenario.label,
    baseline: base,
    ours: ours.map((contender) => {
      const mine = outcomeOf(contender);
      return {
        ...mine,
        logLevel: contender.logLevel!,
        ratio: spread(mine.rounds.map((r, i) => r.load.requestsPerSecond / base.rounds[i].load.requestsPerSecond)),
        cpuRatio: spread(mine.rounds.map((r, i) => base.rounds[i].cpuMsPerRequest / r.cpuMsPerRequest)),
      };
    }),
  };
  for (const o of outcome.ours) {
    log(store, `${scenario.label}, LOG_LEVEL=${o.logLevel}: ours/baseline ${o.ratio.median.toFixed(2)} [${o.ratio.min.toFixed(2)}-${o.ratio.max.toFixed(2)}] by req/s, ${o.cpuRatio.median.toFixed(2)} by CPU per request`);
  }
  for (const [name, server] of [...outcome.ours.map((o) => [`ours (${o.logLevel})`, o] as const), ['baseline', outcome.baseline] as const]) {
    const problem = describe(name, server);
    if (problem) log(store, `ERRORS in ${scenario.label}: ${problem}`);
  }
  return outcome;
}

function serverOutcome(warmUp: Run, rounds: Run[], peakRss: number | null): ServerOutcome {
  const all = [warmUp, ...rounds].map((r) => r.load);
  const sum = (field: 'errors' | 'timeouts' | 'non2xx') => all.reduce((total, result) => total + result[field], 0);
  const emptyRuns = all.filter((result) => result.requests === 0).length;
  const otherStatusCodes: Record<string, number> = {};
  for (const result of all) {
    for (const [code, count] of Object.entries(result.statusCodes)) if (!code.startsWith('2')) otherStatusCodes[code] = (otherStatusCodes[code] ?? 0) + count;
  }
  return {
    warmUp,
    rounds,
    requestsPerSecond: spread(rounds.map((r) => r.load.requestsPerSecond)),
    cpuMsPerRequest: spread(rounds.map((r) => r.cpuMsPerRequest)),
    p50Ms: spread(rounds.map((r) => r.load.p50Ms)),
    p99Ms: spread(rounds.map((r) => r.load.p99Ms)),
    peakRssMiB: peakRss,
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    non2xx: sum('non2xx'),
    otherStatusCodes,
    emptyRuns,
  };
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
