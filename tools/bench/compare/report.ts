import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { StoreKind } from '../../../src/config';
import type { LoadResult } from './load';
import type { CompareOptions } from './options';

/** One server's runs of one scenario. */
export interface ServerOutcome {
  warmUp: LoadResult;
  rounds: LoadResult[];
  /** The round of median requests per second. */
  median: LoadResult;
  /** Peak resident memory of the server's process during the scenario (or since it started: see `rssSince`). */
  peakRssMiB: number | null;
  /** Over every run, the warm-up too: all must be zero. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Every answer that was not 2xx, by status code. */
  otherStatusCodes: Record<string, number>;
  /** Runs in which not one request was answered: they measured nothing. */
  emptyRuns: number;
}

export interface ScenarioOutcome {
  name: string;
  label: string;
  ours: ServerOutcome;
  baseline: ServerOutcome;
  /** Ours' median requests per second over the baseline's. */
  ratio: number;
}

export interface StoreResult {
  store: StoreKind;
  /** The server or file the store ran on. */
  via: string;
  seeded: { users: number; posts: number; seconds: number };
  /** Connections of the load generator on this store. */
  connections: number;
  /** What the identity check compared before any load. */
  identityChecks: string[];
  /** Whether each peak RSS is the scenario's own, or the process's since it started (when /proc/<pid>/clear_refs could not be written). */
  rssSince: 'scenario' | 'process start';
  scenarios: ScenarioOutcome[];
}

export type StoreOutcome = StoreResult | { store: StoreKind; error: string };

/** How the service runs during the bench, for the report. */
export function serviceSettings({ logLevel }: CompareOptions): string {
  return `LOG_LEVEL=${logLevel}, its logs written to /dev/null`;
}

export function machine() {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}` };
}

/** Writes `<date>-<store>.json`; answers its path. */
export function writeStoreJson(folder: string, started: Date, options: CompareOptions, outcome: StoreOutcome): string {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${started.toISOString().slice(0, 10)}-${outcome.store}.json`);
  writeFileSync(file, `${JSON.stringify({ started: started.toISOString(), machine: machine(), options, service: serviceSettings(options), ...outcome }, null, 2)}\n`);
  return file;
}

/** Writes latest.md, one row per store and scenario of this run; answers its path. */
export function writeMarkdown(folder: string, started: Date, options: CompareOptions, outcomes: StoreOutcome[]): string {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'latest.md');
  writeFileSync(file, `${markdown(started, options, outcomes)}\n`);
  return file;
}

export function markdown(started: Date, options: CompareOptions, outcomes: StoreOutcome[]): string {
  const m = machine();
  const header = [
    'store', 'scenario', 'ours req/s', 'baseline req/s', 'ours/baseline',
    'ours p50 / p99 ms', 'baseline p50 / p99 ms', 'ours peak RSS MiB', 'baseline peak RSS MiB', 'errors',
  ];
  const rows: string[][] = [];
  for (const outcome of outcomes) {
    if ('error' in outcome) {
      rows.push([outcome.store, `**FAILED**: ${outcome.error.replaceAll('|', '/').replaceAll('\n', ' ')}`, ...header.slice(2).map(() => '')]);
      continue;
    }
    for (const s of outcome.scenarios) {
      rows.push([
        outcome.store, s.label, rate(s.ours.median), rate(s.baseline.median), Number.isFinite(s.ratio) ? s.ratio.toFixed(2) : 'n/a',
        latency(s.ours.median), latency(s.baseline.median), mib(s.ours.peakRssMiB), mib(s.baseline.peakRssMiB), errors(s),
      ]);
    }
  }
  const table = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  const notes = outcomes.filter((outcome): outcome is StoreResult => !('error' in outcome)).map(
    (r) =>
      `- ${r.store}: ${r.via}; ${r.seeded.users.toLocaleString('en-US')} users and ${r.seeded.posts.toLocaleString('en-US')} posts seeded in ${r.seeded.seconds.toFixed(1)} s; ` +
      `${r.connections} connections; identity checked on ${r.identityChecks.length} requests before any load; peak RSS ${r.rssSince === 'scenario' ? 'per scenario' : 'since each process started'}.`,
  );
  return [
    '# Ours against Express 5 and the raw driver',
    '',
    `Run ${started.toISOString()} on ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`,
    `Options: --stores ${options.stores.join(',')} --duration ${options.duration} --connections ${options.connections} --mongodb-connections ${options.mongodbConnections} --rounds ${options.rounds} ` +
      `--users ${options.users} --posts ${options.posts} --mongodb-posts ${options.mongodbPosts} --log-level ${options.logLevel} --service ${options.service}.`,
    `The service ran with ${serviceSettings(options)}; the baseline logs nothing. Each server ran in a process of its own, and so did the load generator (autocannon).`,
    `Per scenario: one warm-up run of each server, then ${options.rounds} rounds of ours then the baseline, ${options.duration} s each; the round of median req/s is shown.`,
    'Absolute numbers depend on the machine: compare the ratios.',
    '',
    ...table,
    '',
    ...notes,
  ].join('\n');
}

function rate(result: LoadResult): string {
  return Math.round(result.requestsPerSecond).toLocaleString('en-US');
}

function latency(result: LoadResult): string {
  return `${result.p50Ms} / ${result.p99Ms}`;
}

function mib(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(0);
}

/** `0`, or every error, non-2xx answer and empty run of either server, loudly. */
function errors({ ours, baseline }: ScenarioOutcome): string {
  const told = [describe('ours', ours), describe('baseline', baseline)].filter((text) => text !== '');
  return told.length === 0 ? '0' : `**${told.join('; ')}**`;
}

export function describe(server: string, outcome: ServerOutcome): string {
  const problems: string[] = [];
  if (outcome.errors > 0 || outcome.non2xx > 0) {
    const codes = Object.entries(outcome.otherStatusCodes).map(([code, count]) => `${count}×${code}`).join(', ');
    problems.push(`${outcome.errors} errors (${outcome.timeouts} timeouts), ${outcome.non2xx} non-2xx${codes ? ` (${codes})` : ''}`);
  }
  if (outcome.emptyRuns > 0) problems.push(`${outcome.emptyRuns} runs without a single answer (make --duration longer)`);
  return problems.length === 0 ? '' : `${server}: ${problems.join(', ')}`;
}
