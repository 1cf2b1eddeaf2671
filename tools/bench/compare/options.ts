import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { StoreKind } from '../../../src/config';
import { resultsFolder, serviceMain } from '../paths';
import { type ScenarioName, defaultScenarioNames, maxFollowees, scenarioNames } from './scenarios';

export const storeKinds: readonly StoreKind[] = ['sqlite', 'postgres', 'mysql', 'mongodb'];

/** A LOG_LEVEL, and `+timing` for SERVER_TIMING=true: each request's store operations recorded, Server-Timing sent. */
export type LogLevel = 'info' | 'warn' | 'info+timing' | 'warn+timing';
const logLevelNames: readonly string[] = ['info', 'warn', 'info+timing', 'warn+timing'] satisfies LogLevel[];

export interface CompareOptions {
  stores: StoreKind[];
  /** The scenarios to load, in the order they run (scenarios.ts). */
  scenarios: ScenarioName[];
  /** Seconds of each load run (warm-ups too). */
  duration: number;
  connections: number;
  /**
   * Connections on MongoDB: FerretDB answers a list in about 0.1 ms per document in the collection, so 50
   * clients would each wait seconds, and a run would end with most of its requests still in flight.
   */
  mongodbConnections: number;
  /** Measured runs of each server per scenario, after one warm-up each; the median one is reported. */
  rounds: number;
  /** Seeded users: the signed-in user follows every other one, up to maxFollowees, for the feed. */
  users: number;
  /** Posts seeded into each SQL store. */
  posts: number;
  /** Posts seeded into MongoDB: FerretDB sorts whole collections in memory, so lists slow down with their size. */
  mongodbPosts: number;
  /**
   * The service is measured once per LOG_LEVEL given, each against the same baseline: `info` as shipped
   * (a line per request), `warn` (no line for an answer that went well; the baseline logs nothing).
   */
  logLevels: LogLevel[];
  /** The built service measured as "ours": this checkout's, or another's (an earlier commit, to measure a change). */
  service: string;
  /** Where the results go. */
  out: string;
}

/** The signed-in user and as many others as it follows at most. */
const defaultUsers = maxFollowees + 1;

export const usage = `usage: npm run bench -- [options]
  --stores LIST              stores to run, from sqlite,postgres,mysql,mongodb (default: all)
  --scenarios LIST           scenarios to load, from ${scenarioNames.join(',')}
                             (default: all but conduit-articles,conduit-feed; always in that order)
  --duration S               seconds of each load run (default 10)
  --connections N            concurrent connections of the load generator (default 50)
  --mongodb-connections N    the same on MongoDB, whose FerretDB is far slower (default 10)
  --rounds N                 measured rounds per scenario, at least 2; each runs every server once, who goes first
                             taking turns; ratios are paired per round, reported as median [lowest-highest] (default 3)
  --users N                  seeded users; the signed-in user follows every other one, up to ${maxFollowees.toLocaleString('en-US')}, for the
                             feed (default ${defaultUsers}: ${maxFollowees.toLocaleString('en-US')} followees)
  --posts N                  seeded posts on SQL stores, at least 40 (default 100000)
  --mongodb-posts N          seeded posts on MongoDB, at least 40 (default 1000)
  --log-levels LIST          the service's LOG_LEVELs, each measured against the baseline: info (as shipped), warn (no
                             line for a 2xx; the baseline logs nothing); info+timing and warn+timing add SERVER_TIMING=true,
                             which records every request's store operations (default info,warn)
  --service FILE             the built service to measure (default this checkout's dist/src/main.js)
  --out DIR                  where results are written (default bench/results)`;

/** A bad option, told to the operator with the usage, not a stack. */
export class UsageError extends Error {}

export function parseOptions(args: string[]): CompareOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        stores: { type: 'string', default: storeKinds.join(',') },
        scenarios: { type: 'string', default: defaultScenarioNames.join(',') },
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '50' },
        'mongodb-connections': { type: 'string', default: '10' },
        rounds: { type: 'string', default: '3' },
        users: { type: 'string', default: String(defaultUsers) },
        posts: { type: 'string', default: '100000' },
        'mongodb-posts': { type: 'string', default: '1000' },
        'log-levels': { type: 'string', default: 'info,warn' },
        service: { type: 'string', default: serviceMain },
        out: { type: 'string', default: resultsFolder },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const stores = values.stores.split(',').map((name) => name.trim());
  const unknown = stores.filter((name) => !storeKinds.includes(name as StoreKind));
  if (unknown.length > 0 || stores.length === 0) throw new UsageError(`unknown store '${unknown.join(', ')}'`);
  const scenarios = values.scenarios.split(',').map((name) => name.trim());
  const unknownScenarios = scenarios.filter((name) => !scenarioNames.includes(name as ScenarioName));
  if (unknownScenarios.length > 0) throw new UsageError(`unknown scenario '${unknownScenarios.join(', ')}'`);
  if (values.out === '') throw new UsageError('--out needs a folder');
  const logLevels = values['log-levels'].split(',').map((level) => level.trim());
  const badLevel = logLevels.find((level) => !logLevelNames.includes(level));
  if (badLevel !== undefined || logLevels.length === 0) throw new UsageError(`--log-levels must be from ${logLevelNames.join(', ')}, not '${values['log-levels']}'`);
  return {
    stores: storeKinds.filter((kind) => stores.includes(kind)),
    scenarios: scenarioNames.filter((name) => scenarios.includes(name)),
    duration: whole('duration', values.duration, 1),
    connections: whole('connections', values.connections, 1),
    mongodbConnections: whole('mongodb-connections', values['mongodb-connections'], 1),
    rounds: whole('rounds', values.rounds, 2),
    users: whole('users', values.users, 1),
    posts: whole('posts', values.posts, 40),
    mongodbPosts: whole('mongodb-posts', values['mongodb-posts'], 40),
    logLevels: [...new Set(logLevels as LogLevel[])],
    service: resolve(values.service),
    out: values.out,
  };
}

function whole(name: string, value: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, not '${value}'`);
  return Number(value);
}
