import type { StoreKind } from '../../../src/config';
import type { LoadResult } from '../compare/load';
import type { AbuseOptions } from './options';
import type { ProbeStats } from './probe';

type Probes = Record<'post' | 'healthz', ProbeStats>;

export interface RoundResult {
  store: StoreKind;
  posts: number;
  round: number;
  build: string;
  quiet: Probes;
  abused: Probes;
  searches: LoadResult | null;
  nested: LoadResult | null;
}

/** The targets on the SQL stores, met when every round's p99 is below them. */
export const targets = { postP99Ms: 100, healthzP99Ms: 1000 };

export function markdownReport(results: RoundResult[], options: AbuseOptions): string {
  const header = [
    'store', 'build', 'GET /posts/:id p99 quiet', 'GET /posts/:id p50 abused', 'GET /posts/:id p99 abused',
    '/healthz p99 quiet', '/healthz p99 abused', 'probes unanswered', 'searches answered', 'nested bodies answered', 'targets',
  ];
  const rows: string[][] = [];
  for (const store of new Set(results.map((result) => result.store))) {
    for (const build of options.builds.map((b) => b.label)) {
      const rounds = results.filter((result) => result.store === store && result.build === build);
      if (rounds.length === 0) continue;
      const postP99 = rounds.map((r) => r.abused.post.p99Ms);
      const healthzP99 = rounds.map((r) => r.abused.healthz.p99Ms);
      const met = store === 'mongodb' ? 'reported only' : Math.max(...postP99) < targets.postP99Ms && Math.max(...healthzP99) < targets.healthzP99Ms ? 'met' : 'not met';
      rows.push([
        `${store} (${rounds[0].posts.toLocaleString('en-US')} posts)`,
        build,
        spread(rounds.map((r) => r.quiet.post.p99Ms)),
        spread(rounds.map((r) => r.abused.post.p50Ms)),
        spread(postP99),
        spread(rounds.map((r) => r.quiet.healthz.p99Ms)),
        spread(healthzP99),
        String(rounds.reduce((sum, r) => sum + (r.abused.post.statuses.failed ?? 0) + (r.abused.healthz.statuses.failed ?? 0), 0)),
        answers(rounds.map((r) => r.searches)),
        answers(rounds.map((r) => r.nested)),
        met,
      ]);
    }
  }
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return [
    `${options.searchers} searchers (${options.seconds} s of GET ${'`'}/posts?q=…&limit=100${'`'} matching nothing) and ${options.nesters} clients posting 1 MB nested bodies to an unknown path;`,
    `one client probing GET /posts/:id and /healthz in turn. Milliseconds: the median of ${options.rounds} round(s) [lowest-highest]. Targets on SQL stores: GET /posts/:id p99 under ${targets.postP99Ms} ms and /healthz p99 under ${targets.healthzP99Ms} ms in every round.`,
    '',
    ...lines,
  ].join('\n');
}

function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return sorted.length === 1 ? ms(middle) : `${ms(middle)} [${ms(sorted[0])}-${ms(sorted.at(-1)!)}]`;
}

function ms(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

/** Requests per second answered, by status, summed over the rounds. */
function answers(loads: (LoadResult | null)[]): string {
  const counts: Record<string, number> = {};
  let seconds = 0;
  for (const load of loads) {
    if (load === null) continue;
    seconds += load.seconds;
    for (const [status, count] of Object.entries(load.statusCodes)) counts[status] = (counts[status] ?? 0) + count;
    if (load.errors > 0) counts.errors = (counts.errors ?? 0) + load.errors;
  }
  if (seconds === 0) return '–';
  return Object.entries(counts)
    .map(([status, count]) => `${status}: ${(count / seconds).toFixed(1)}/s`)
    .join(', ');
}
