import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type StoreKind, databaseConfig } from '../../src/config';
import { recordKinds } from '../../src/domain/transfer';
import { openStore } from '../../src/stores/open-store';
import { copyStore } from '../copy/copy';
import { compareStores, hasDifference } from '../copy/verify';
import { seedStore } from '../seed/seed';
import { createBenchDatabase } from './databases';

const usage = 'usage: npm run bench:copy -- [--users N] [--posts N] [--batch N] [--pairs sqlite:postgres,postgres:mongodb]';

interface Figures {
  pair: string;
  records: number;
  copySeconds: number;
  verifySeconds: number;
  seedSeconds: number;
}

/**
 * `npm run bench:copy`: for each pair, a source seeded with `npm run seed`'s dataset (users and posts with their
 * tags), copied into an empty target of the other kind (npm run copy's copy, then its verify, timed apart), next
 * to `npm run seed` of the same dataset into an empty target of that kind: records per second of each, and
 * their ratio. Each database is a throw-away one (tools/bench/databases.ts).
 */
async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      users: { type: 'string', default: '1000' },
      posts: { type: 'string', default: '100000' },
      batch: { type: 'string', default: '1000' },
      pairs: { type: 'string', default: 'sqlite:postgres,postgres:mongodb' },
    },
    strict: true,
  });
  const [users, posts, batch] = [values.users, values.posts, values.batch].map(Number);
  const pairs = values.pairs.split(',').map((pair) => pair.split(':') as [StoreKind, StoreKind]);
  if (![users, posts, batch].every((n) => Number.isSafeInteger(n) && n > 0) || pairs.some((pair) => pair.length !== 2)) throw new Error(usage);
  const figures: Figures[] = [];
  for (const [from, to] of pairs) figures.push(await benchPair(from, to, { users, posts, batch }));
  const rate = (records: number, seconds: number) => Math.round(records / seconds);
  const lines = [
    `${users} users, ${posts} posts, batches of ${batch}`,
    '',
    '| copy | records | copy records/s | verify s | seed records/s into the same kind | copy / seed |',
    '|---|---:|---:|---:|---:|---:|',
    ...figures.map(
      ({ pair, records, copySeconds, verifySeconds, seedSeconds }) =>
        `| ${pair} | ${records} | ${rate(records, copySeconds)} | ${verifySeconds.toFixed(1)} | ${rate(users + posts, seedSeconds)} | ${(seedSeconds / copySeconds).toFixed(2)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function benchPair(from: StoreKind, to: StoreKind, { users, posts, batch }: { users: number; posts: number; batch: number }): Promise<Figures> {
  const log = (line: string) => process.stderr.write(`[${from} → ${to}] ${line}\n`);
  const [source, target, seeded] = [await createBenchDatabase(from), await createBenchDatabase(to), await createBenchDatabase(to)];
  try {
    log(`seeding the source on ${source.via}`);
    await seedStore(source.url, { users, posts });
    log('seeding an empty target of the same kind, timed');
    const { seconds: seedSeconds } = await seedStore(seeded.url, { users, posts });
    const [sourceStore, targetStore] = [await openStore({ ...databaseConfig(source.url), schema: 'check' }), await openStore({ ...databaseConfig(target.url), schema: 'migrate-new' })];
    try {
      log('copying, timed');
      let started = performance.now();
      const { counts } = await copyStore(sourceStore, targetStore, { sourceName: from, batch, progress: () => {} });
      const copySeconds = (performance.now() - started) / 1000;
      log('verifying, timed');
      started = performance.now();
      const comparisons = await compareStores(sourceStore, targetStore, batch, { ids: true });
      const verifySeconds = (performance.now() - started) / 1000;
      if (hasDifference(comparisons)) throw new Error(`the copy differs: ${JSON.stringify(comparisons.map(({ kind, source: a, target: b }) => [kind, a, b]))}`);
      const records = recordKinds.reduce((sum, kind) => sum + counts[kind].written, 0);
      return { pair: `${from} → ${to}`, records, copySeconds, verifySeconds, seedSeconds };
    } finally {
      await sourceStore.close();
      await targetStore.close();
    }
  } finally {
    await Promise.all([source.drop(), target.drop(), seeded.drop()]);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench:copy: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
