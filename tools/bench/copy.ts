import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { StoreKind } from '../../src/config';
import { recordKinds } from '../../src/domain/transfer';
import { openStore } from '../../src/stores/open-store';
import { copyDatabase, copyStore } from '../copy/copy';
import { compareStores, hasDifference } from '../copy/verify';
import { seedStore } from '../seed/seed';
import { spread } from './compare/report';
import { createBenchDatabase } from './databases';

const usage = 'usage: npm run bench:copy -- [--users N] [--posts N] [--batch N] [--rounds N] [--pairs sqlite:postgres,postgres:mongodb]';

interface Round {
  copySeconds: number;
  verifySeconds: number;
  seedSeconds: number;
}

interface Figures {
  pair: string;
  records: number;
  rounds: Round[];
}

/**
 * `npm run bench:copy`: for each pair, a source seeded with `npm run seed`'s dataset (users and posts with their
 * tags); then, round after round, `npm run seed` of the same dataset into an empty store of the target's kind and
 * a copy of the source into another (npm run copy's copy, then its verify, timed apart): records per second of
 * each, and their ratio, as the median and the range of the rounds. Each database is a throw-away one
 * (tools/bench/databases.ts).
 */
async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      users: { type: 'string', default: '1000' },
      posts: { type: 'string', default: '100000' },
      batch: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '3' },
      pairs: { type: 'string', default: 'sqlite:postgres,postgres:mongodb' },
    },
    strict: true,
  });
  const [users, posts, batch, rounds] = [values.users, values.posts, values.batch, values.rounds].map(Number);
  const pairs = values.pairs.split(',').map((pair) => pair.split(':') as [StoreKind, StoreKind]);
  if (![users, posts, batch, rounds].every((n) => Number.isSafeInteger(n) && n > 0) || pairs.some((pair) => pair.length !== 2)) throw new Error(usage);
  const figures: Figures[] = [];
  for (const [from, to] of pairs) figures.push(await benchPair(from, to, { users, posts, batch, rounds }));
  const shown = (values: number[], digits = 0) => {
    const { median, min, max } = spread(values);
    const text = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return values.length === 1 ? text(median) : `${text(median)} (${text(min)}–${text(max)})`;
  };
  const lines = [
    `${users} users, ${posts} posts, batches of ${batch}; each figure the median of ${rounds} rounds (lowest–highest)`,
    '',
    '| copy | records | copy records/s | verify s | seed records/s into the same kind | copy / seed |',
    '|---|---:|---:|---:|---:|---:|',
    ...figures.map(({ pair, records, rounds: measured }) => {
      const copyRates = measured.map(({ copySeconds }) => records / copySeconds);
      const seedRates = measured.map(({ seedSeconds }) => (users + posts) / seedSeconds);
      const ratios = measured.map((_, i) => copyRates[i] / seedRates[i]);
      return `| ${pair} | ${records} | ${shown(copyRates)} | ${shown(measured.map(({ verifySeconds }) => verifySeconds), 1)} | ${shown(seedRates)} | ${shown(ratios, 2)} |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function benchPair(from: StoreKind, to: StoreKind, { users, posts, batch, rounds }: { users: number; posts: number; batch: number; rounds: number }): Promise<Figures> {
  const log = (line: string) => process.stderr.write(`[${from} → ${to}] ${line}\n`);
  const source = await createBenchDatabase(from);
  try {
    log(`seeding the source on ${source.via}`);
    await seedStore(source.url, { users, posts });
    const sourceStore = await openStore(copyDatabase(source.url, 'check'));
    try {
      const measured: Round[] = [];
      let records = 0;
      for (let round = 1; round <= rounds; round++) {
        const [seeded, target] = [await createBenchDatabase(to), await createBenchDatabase(to)];
        try {
          log(`round ${round}: seeding an empty target of the same kind, timed`);
          const { seconds: seedSeconds } = await seedStore(seeded.url, { users, posts });
          const targetStore = await openStore(copyDatabase(target.url, 'migrate-new'));
          try {
            log(`round ${round}: copying, timed`);
            let started = performance.now();
            const { counts } = await copyStore(sourceStore, targetStore, { sourceName: from, batch, progress: () => {} });
            const copySeconds = (performance.now() - started) / 1000;
            log(`round ${round}: verifying, timed`);
            started = performance.now();
            const comparisons = await compareStores(sourceStore, targetStore, batch, { ids: true });
            const verifySeconds = (performance.now() - started) / 1000;
            if (hasDifference(comparisons)) throw new Error(`the copy differs: ${JSON.stringify(comparisons.map(({ kind, source: a, target: b }) => [kind, a, b]))}`);
            records = recordKinds.reduce((sum, kind) => sum + counts[kind].written, 0);
            measured.push({ copySeconds, verifySeconds, seedSeconds });
          } finally {
            await targetStore.close();
          }
        } finally {
          await Promise.all([seeded.drop(), target.drop()]);
        }
      }
      return { pair: `${from} → ${to}`, records, rounds: measured };
    } finally {
      await sourceStore.close();
    }
  } finally {
    await source.drop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench:copy: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
