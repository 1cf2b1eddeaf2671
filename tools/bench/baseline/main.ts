import { parseArgs } from 'node:util';
import { baselineApp } from './app';
import { openMongoStore } from './mongo-store';
import { openMysqlStore } from './mysql-store';
import { openPostgresStore } from './postgres-store';
import { openSqliteStore } from './sqlite-store';
import type { BaselineStore } from './store';

const usage = 'usage: node dist/tools/bench/baseline/main.js --database-url URL --port N';

/** The baseline server of `npm run bench`: started by the bench, one process per store, on the service's database. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, port: { type: 'string' } }, strict: true });
  const url = values['database-url'];
  const port = Number(values.port);
  if (url === undefined || !/^\d+$/.test(values.port ?? '')) stop(usage, 2);
  const store = await openStore(url);
  const server = baselineApp(store).listen(port, '127.0.0.1');
  server.on('error', (error) => stop(`cannot listen on port ${port}: ${error.message}`, 1));
  process.once('SIGTERM', () => server.close(() => void store.close().then(() => process.exit(0))));
}

function openStore(url: string): Promise<BaselineStore> | BaselineStore {
  const scheme = /^[a-z+]+:/i.exec(url)?.[0].toLowerCase();
  switch (scheme) {
    case 'sqlite:':
      return openSqliteStore(url.slice('sqlite:'.length).replace(/^\/\//, ''));
    case 'postgres:':
    case 'postgresql:':
      return openPostgresStore(url);
    case 'mysql:':
    case 'mariadb:':
      return openMysqlStore(url);
    case 'mongodb:':
    case 'mongodb+srv:':
      return openMongoStore(url);
    default:
      return stop(`unsupported database URL scheme ${scheme}; ${usage}`, 2);
  }
}

function stop(message: string, code: number): never {
  process.stderr.write(`baseline: ${message}\n`);
  process.exit(code);
}

main().catch((error: unknown) => stop(error instanceof Error ? error.message.split('\n')[0] : String(error), 1));
