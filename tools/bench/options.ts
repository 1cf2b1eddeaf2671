import { parseArgs } from 'node:util';
import type { StoreKind } from '../../src/config';
import { resultsFolder } from './paths';

export const storeKinds: readonly StoreKind[] = ['sqlite', 'postgres', 'mysql', 'mongodb'];

export interface BenchOptions {
  stores: StoreKind[];
  /** Posts seeded into each SQL store. */
  posts: number;
  /** Posts seeded into MongoDB: FerretDB sorts in memory, so a full-size collection would take hours. */
  mongodbPosts: number;
  /** Timed requests per page kind; fewer when a store's time budget runs out first. */
  samples: number;
  /** Seconds each throughput run aims at, after a warm-up about as long. */
  seconds: number;
  connections: number;
  /** Throughput rounds: each loads the first page with and without `count=true`, who goes first taking turns. */
  rounds: number;
  /** Where the JSON results go. */
  out: string;
}

const usage = 'usage: npm run bench:pagination -- [--stores sqlite,postgres,mysql,mongodb] [--posts N] [--mongodb-posts N] [--samples N] [--seconds N] [--connections N] [--rounds N] [--out DIR]';

export function parseOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      stores: { type: 'string', default: storeKinds.join(',') },
      posts: { type: 'string', default: '100000' },
      'mongodb-posts': { type: 'string', default: '2000' },
      samples: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const stores = values.stores.split(',').map((name) => name.trim());
  const unknown = stores.filter((name) => !storeKinds.includes(name as StoreKind));
  if (unknown.length > 0) throw new Error(`unknown store ${unknown.join(', ')}; ${usage}`);
  return {
    stores: storeKinds.filter((kind) => stores.includes(kind)),
    posts: whole('posts', values.posts, 40),
    mongodbPosts: whole('mongodb-posts', values['mongodb-posts'], 40),
    samples: whole('samples', values.samples, 1),
    seconds: whole('seconds', values.seconds, 1),
    connections: whole('connections', values.connections, 1),
    rounds: whole('rounds', values.rounds, 1),
    out: values.out ?? resultsFolder,
  };
}

function whole(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, not '${value}'; ${usage}`);
  return n;
}
