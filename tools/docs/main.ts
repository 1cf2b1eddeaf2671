import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { documentPath, firstDifference, generateModelingDoc, root, staleMessage } from './modeling';

const usage = 'usage: npm run docs:modeling [-- --check]';

/**
 * `npm run docs:modeling` writes docs/modeling.md from the four stores (MongoDB: MONGODB_URL, else a FerretDB
 * of its own; PostgreSQL and MariaDB: POSTGRES_URL and MYSQL_URL, else the local servers). With `--check` it
 * writes nothing, and exits 1 when the committed file differs from what the stores hold now.
 */
async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`docs:modeling: unknown argument ${unknown[0]}\n${usage}\n`);
    return 2;
  }
  const generated = await generateModelingDoc((line) => process.stderr.write(`docs:modeling: ${line}\n`));
  const where = relative(root, documentPath);
  if (args.includes('--check')) {
    const committed = readFileSync(documentPath, 'utf8');
    if (committed !== generated) {
      process.stderr.write(`${staleMessage}\n${firstDifference(committed, generated)}\n`);
      return 1;
    }
    process.stdout.write(`${where} is up to date\n`);
    return 0;
  }
  writeFileSync(documentPath, generated);
  process.stdout.write(`wrote ${where}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`docs:modeling: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
