import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { StoreKind } from '../../src/config';
import type { BenchOptions } from './options';
import type { Spread } from './compare/report';

/** The cursor ratio every SQL store must stay within; FerretDB sorts in memory, so it is only reported. */
export const cursorRatioTarget = 1.5;

export interface StoreResult {
  store: StoreKind;
  /** The server or file the store ran on. */
  via: string;
  posts: number;
  seedSeconds: number;
  /** Timed requests of each page kind. */
  samples: number;
  /** The page the deep cursor fetches (the last full one): page 5,000 of 20 at 100,000 posts. */
  cursorDepthPage: number;
  /** The deepest skip measured: the API's cap, or the last page when the list is shorter. */
  skipDepth: number;
  pageOneMs: number;
  cursorDepthMs: number;
  cursorRatio: number;
  skipPageOneMs: number;
  skipDepthMs: number;
  skipRatio: number;
  /** `GET /posts?limit=20` under load, by round. */
  firstPageRps: Spread;
  /** The same with `count=true`: what every first page paid before cursor paging, which counted every row. */
  countedFirstPageRps: Spread;
  /** The first page over the counted one, paired within each round. */
  uncountedRatio: Spread;
}

export type Outcome = StoreResult | { store: StoreKind; error: string };

export function markdownReport(outcomes: Outcome[]): string {
  const header = [
    'store', 'posts', 'page 1 ms', 'cursor depth', 'cursor depth ms', 'cursor ratio',
    'skip=0 ms', 'skip depth', 'skip depth ms', 'skip ratio', 'first page req/s', 'count=true req/s',
  ];
  const rows = outcomes.map((outcome) => {
    if ('error' in outcome) return [outcome.store, `failed: ${outcome.error.replaceAll('|', '/')}`, ...header.slice(2).map(() => '')];
    const r = outcome;
    return [
      r.store, r.posts.toLocaleString('en-US'), fixed(r.pageOneMs), `page ${r.cursorDepthPage.toLocaleString('en-US')}`, fixed(r.cursorDepthMs), fixed(r.cursorRatio),
      fixed(r.skipPageOneMs), `skip=${r.skipDepth.toLocaleString('en-US')}`, fixed(r.skipDepthMs), fixed(r.skipRatio),
      rate(r.firstPageRps), rate(r.countedFirstPageRps),
    ];
  });
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  const notes = outcomes.filter((outcome): outcome is StoreResult => !('error' in outcome)).map(note);
  return [...lines, '', ...notes].join('\n');
}

function note(r: StoreResult): string {
  const target =
    r.store === 'mongodb'
      ? `reported only (FerretDB does not push sorts down)`
      : `${r.cursorRatio <= cursorRatioTarget ? 'within' : 'OVER'} the ${cursorRatioTarget} target`;
  return (
    `- ${r.store} (${r.via}, ${r.posts.toLocaleString('en-US')} posts seeded in ${r.seedSeconds.toFixed(0)} s, ${r.samples} samples): ` +
    `cursor ratio ${fixed(r.cursorRatio)}, ${target}; first page ${fixed(r.uncountedRatio.median)}x [${fixed(r.uncountedRatio.min)}-${fixed(r.uncountedRatio.max)}] the req/s of a counted one, paired by round.`
  );
}

/** Writes the results beside the ones of earlier runs; answers the file's path. */
export function writeJsonReport(folder: string, options: BenchOptions, outcomes: Outcome[], started: Date): string {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `pagination-${started.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  const machine = { cpus: cpus().length, node: process.version };
  writeFileSync(file, `${JSON.stringify({ started: started.toISOString(), machine, options, results: outcomes }, null, 2)}\n`);
  return file;
}

function fixed(value: number): string {
  return value.toFixed(2);
}

/** Requests per second of the median round [lowest-highest]. */
function rate({ median, min, max }: Spread): string {
  const whole = (n: number) => Math.round(n).toLocaleString('en-US');
  return `${whole(median)} [${whole(min)}-${whole(max)}]`;
}
