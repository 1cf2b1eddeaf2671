import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { StoreKind } from '../../../src/config';
import type { LoadResult } from './load';
import type { CompareOptions, LogLevel } from './options';

/** One load run of one server, and the server's CPU time per request during it. */
export interface Run {
  load: LoadResult;
  cpuMsPerRequest: number;
}

/** Values of the measured rounds: their median (the mean of the middle two when even), lowest and highest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** One server's runs of one scenario. */
export interface ServerOutcome {
  warmUp: Run;
  rounds: Run[];
  requestsPerSecond: Spread;
  cpuMsPerRequest: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
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

/** The service at one log level, against the baseline's runs of the same rounds. */
export interface OursOutcome extends ServerOutcome {
  logLevel: LogLevel;
  /** Ours' requests per second over the baseline's, round by round. */
  ratio: Spread;
  /** The baseline's CPU per request over ours, round by round: like `ratio`, below 1 is ours costing more. */
  cpuRatio: Spread;
}

export interface ScenarioOutcome {
  name: string;
  label: string;
  ours: OursOutcome[];
  baseline: ServerOutcome;
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
export function serviceSettings({ logLevels }: CompareOptions): string {
  return `one process per LOG_LEVEL (${logLevels.join(', ')}; +timing: with SERVER_TIMING=true), its logs written to /dev/null`;
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
    'store', 'scenario', 'LOG_LEVEL', 'ours req/s', 'baseline req/s', 'ours/baseline by req/s', 'ours CPU µs/req', 'baseline CPU µs/req',
    'ours/baseline by CPU', 'ours p50 / p99 ms', 'baseline p50 / p99 ms', 'ours peak RSS MiB', 'baseline peak RSS MiB', 'errors',
  ];
  const rows: string[][] = [];
  for (const outcome of outcomes) {
    if ('error' in outcome) {
      rows.push([outcome.store, `**FAILED**: ${outcome.error.replaceAll('|', '/').replaceAll('\n', ' ')}`, ...header.slice(2).map(() => '')]);
      continue;
    }
    for (const s of outcome.scenarios) {
      for (const o of s.ours) {
        rows.push([
          outcome.store, s.label, o.logLevel, rate(o), rate(s.baseline), ratio(o.ratio), micros(o), micros(s.baseline), ratio(o.cpuRatio),
          latency(o), latency(s.baseline), mib(o.peakRssMiB), mib(s.baseline.peakRssMiB), errors(o, s.baseline),
        ]);
      }
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
    `Options: --stores ${options.stores.join(',')} --scenarios ${options.scenarios.join(',')} --duration ${options.duration} --connections ${options.connections} --mongodb-connections ${options.mongodbConnections} --rounds ${options.rounds} ` +
      `--users ${options.users} --posts ${options.posts} --mongodb-posts ${options.mongodbPosts} --log-levels ${options.logLevels.join(',')} --service ${options.service}.`,
    `The service ran as ${serviceSettings(options)}; the baseline logs nothing. Each server ran in a process of its own, and so did the load generator (autocannon).`,
    `Per scenario: one warm-up run of each server, then ${options.rounds} rounds of ${options.duration} s runs, every server once a round, who goes first taking turns.`,
    'Requests per second, CPU and latencies: the median round [lowest-highest]. Ratios are paired within each round (ours and the baseline of the same round), then',
    'given as the median [lowest-highest] of the rounds. By CPU: the baseline\'s CPU time per request over ours (server process only; the database server\'s is not counted), so',
    'that below 1 means ours costs more, as by req/s; CPU per request holds when other work shares the cores, requests per second do not.',
    'Absolute numbers depend on the machine: compare the ratios.',
    '',
    ...table,
    '',
    ...notes,
  ].join('\n');
}

function rate(outcome: ServerOutcome): string {
  const { median, min, max } = outcome.requestsPerSecond;
  const whole = (value: number) => Math.round(value).toLocaleString('en-US');
  return `${whole(median)} [${whole(min)}-${whole(max)}]`;
}

function ratio({ median, min, max }: Spread): string {
  return Number.isFinite(median) ? `**${median.toFixed(2)}** [${min.toFixed(2)}-${max.toFixed(2)}]` : 'n/a';
}

function micros(outcome: ServerOutcome): string {
  const { median, min, max } = outcome.cpuMsPerRequest;
  const us = (value: number) => Math.round(value * 1000).toLocaleString('en-US');
  return Number.isFinite(median) ? `${us(median)} [${us(min)}-${us(max)}]` : 'n/a';
}

function latency(outcome: ServerOutcome): string {
  return `${outcome.p50Ms.median} / ${outcome.p99Ms.median}`;
}

function mib(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(0);
}

/** `0`, or every error, non-2xx answer and empty run of either server, loudly. */
function errors(ours: OursOutcome, baseline: ServerOutcome): string {
  const told = [describe(`ours (${ours.logLevel})`, ours), describe('baseline', baseline)].filter((text) => text !== '');
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
