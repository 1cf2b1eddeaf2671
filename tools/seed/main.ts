import { Presets, SingleBar } from 'cli-progress';
import { ConfigError } from '../../src/config';
import { ConflictError } from '../../src/domain/errors';
import { StoreOpenError } from '../../src/stores/open-store';
import { type SeedOptions, UsageError, parseOptions, usage } from './options';
import { type SeedCounts, seedStore } from './seed';

/** `npm run seed`: fills a store with the seeded dataset, showing progress on stderr and the rate on stdout. */
async function main(): Promise<void> {
  let options: SeedOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`seed: ${error.message}\n${usage}\n`);
    process.exit(2);
  }
  const progress = process.stderr.isTTY ? progressBar(options) : progressLines(options);
  const { users, posts, seconds, mode } = await seedStore(options.databaseUrl, options, progress.update, {
    batch: options.batch,
    bulkLoad: !options.throughPort,
  }).finally(progress.stop);
  process.stderr.write(mode === 'bulk load' ? 'posts written by a bulk load: indexes and foreign keys made after them\n' : 'posts written through the repository port\n');
  process.stdout.write(`seeded ${users} users and ${posts} posts in ${seconds.toFixed(2)} s: ${Math.round(posts / seconds)} posts/s\n`);
}

interface Progress {
  update(done: SeedCounts): void;
  stop(): void;
}

/** On a terminal: one bar for the users, then one for the posts. */
function progressBar(total: SeedCounts): Progress {
  const bar = new SingleBar({ format: 'seeding {what} [{bar}] {value}/{total}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  let showing: keyof SeedCounts | undefined;
  const show = (what: keyof SeedCounts, value: number) => {
    if (showing !== what) {
      if (showing !== undefined) bar.stop();
      bar.start(total[what], 0, { what });
      showing = what;
    }
    bar.update(value);
  };
  return {
    update: (done) => show(done.posts === 0 ? 'users' : 'posts', done.posts === 0 ? done.users : done.posts),
    stop: () => bar.stop(),
  };
}

/** Elsewhere (a log, CI): a line when the users are done and at each tenth of the posts. */
function progressLines(total: SeedCounts): Progress {
  const step = Math.max(1, Math.ceil(total.posts / 10));
  let shown = 0;
  return {
    update: (done) => {
      if (done.posts === 0 && done.users === total.users) process.stderr.write(`seeded ${done.users}/${total.users} users\n`);
      if (done.posts > 0 && (Math.floor(done.posts / step) > Math.floor(shown / step) || done.posts === total.posts)) {
        process.stderr.write(`seeded ${done.posts}/${total.posts} posts\n`);
        shown = done.posts;
      }
    },
    stop: () => {},
  };
}

/** What stops a seed is the operator's: one line, no stack. */
main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (error instanceof ConfigError) {
    process.stderr.write(`seed: ${message}\n${usage}\n`);
    process.exit(2);
  }
  const hint = error instanceof ConflictError ? ' (seed an empty database: the seeded users are there already)' : '';
  process.stderr.write(`seed: ${error instanceof StoreOpenError ? message : `failed: ${message}${hint}`}\n`);
  process.exit(1);
});
