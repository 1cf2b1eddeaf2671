import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { StoreKind } from '../../../src/config';
import { storeKinds } from '../options';
import { resultsFolder, serviceMain } from '../paths';

/** A build of the service to measure: its `src/main.js`, and the seeder of the same build beside it. */
export interface Build {
  label: string;
  main: string;
}

export interface AbuseOptions {
  stores: StoreKind[];
  posts: number;
  mongodbPosts: number;
  /** Seconds of abuse in each round. */
  seconds: number;
  /** Seconds of probing with nothing else running, before the abuse. */
  quietSeconds: number;
  rounds: number;
  /** Anonymous clients repeating the costliest search. */
  searchers: number;
  /** Anonymous clients posting deeply nested bodies to an unknown path. */
  nesters: number;
  builds: Build[];
  /** Where the JSON results go. */
  out: string;
}

export const usage =
  'usage: npm run bench:abuse -- [--stores sqlite,postgres,mysql,mongodb] [--posts N] [--mongodb-posts N] [--seconds N] ' +
  '[--quiet-seconds N] [--rounds N] [--searchers N] [--nesters N] [--build LABEL=path/to/dist/src/main.js ...] [--out DIR]';

export class UsageError extends Error {}

export function parseOptions(args: string[]): AbuseOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        stores: { type: 'string', default: storeKinds.join(',') },
        posts: { type: 'string', default: '100000' },
        'mongodb-posts': { type: 'string', default: '2000' },
        seconds: { type: 'string', default: '30' },
        'quiet-seconds': { type: 'string', default: '5' },
        rounds: { type: 'string', default: '2' },
        searchers: { type: 'string', default: '12' },
        nesters: { type: 'string', default: '4' },
        build: { type: 'string', multiple: true, default: [`current=${serviceMain}`] },
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
  if (unknown.length > 0) throw new UsageError(`unknown store ${unknown.join(', ')}`);
  const builds = values.build.map((spec) => {
    const at = spec.indexOf('=');
    if (at < 1 || at === spec.length - 1) throw new UsageError(`--build must be LABEL=path/to/main.js, not '${spec}'`);
    return { label: spec.slice(0, at), main: resolve(spec.slice(at + 1)) };
  });
  if (new Set(builds.map((build) => build.label)).size < builds.length) throw new UsageError('each --build needs a label of its own');
  return {
    stores: storeKinds.filter((kind) => stores.includes(kind)),
    posts: whole('posts', values.posts, 100),
    mongodbPosts: whole('mongodb-posts', values['mongodb-posts'], 100),
    seconds: whole('seconds', values.seconds, 1),
    quietSeconds: whole('quiet-seconds', values['quiet-seconds'], 1),
    rounds: whole('rounds', values.rounds, 1),
    searchers: whole('searchers', values.searchers, 0),
    nesters: whole('nesters', values.nesters, 0),
    builds,
    out: resolve(values.out),
  };
}

function whole(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, not '${value}'`);
  return n;
}
