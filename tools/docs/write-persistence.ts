import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { firstDifference, root } from './modeling';
import { comparable, generatePersistenceDoc, persistencePath, persistenceStaleMessage } from './persistence';

const usage = 'usage: npm run docs:persistence [-- --check]';

/**
 * `npm run docs:persistence` writes docs/persistence.md from the demo's scenario on the four stores, each on a
 * throw-away database (MongoDB: MONGODB_URL, else a FerretDB of its own; PostgreSQL and MariaDB: POSTGRES_URL and
 * MYSQL_URL, else the local servers). With `--check` it writes nothing, and exits 1 when the committed file differs (each call's operations compared as a set).
 */
async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`docs:persistence: unknown argument ${unknown[0]}\n${usage}\n`);
    return 2;
  }
  const generated = await generatePersistenceDoc((line) => process.stderr.write(`docs:persistence: ${line}\n`));
  const where = relative(root, persistencePath);
  if (args.includes('--check')) {
    const committed = readFileSync(persistencePath, 'utf8');
    if (comparable(committed) !== comparable(generated)) {
      process.stderr.write(`${persistenceStaleMessage}\n${firstDifference(comparable(committed), comparable(generated))}\n`);
      return 1;
    }
    process.stdout.write(`${where} is up to date\n`);
    return 0;
  }
  writeFileSync(persistencePath, generated);
  process.stdout.write(`wrote ${where}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`docs:persistence: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
