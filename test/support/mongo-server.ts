import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ping } from './stores';

export interface MongoServer {
  url: string;
  via: string;
  stop(): Promise<void>;
}

/**
 * A MongoDB-compatible server for the tests, first of: MONGODB_URL; FerretDB
 * built from the Go module proxy (for machines without mongod); and
 * mongodb-memory-server (which downloads mongod, so needs the internet).
 */
export async function startMongoServer(): Promise<MongoServer> {
  const given = process.env.MONGODB_URL;
  if (given) {
    await ping('mongodb', given);
    return { url: given, via: 'MONGODB_URL', stop: async () => {} };
  }

  const problems: string[] = [];
  try {
    return await startFerretDb();
  } catch (error) {
    problems.push(`FerretDB: ${firstLine(error)}`);
  }
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server-core');
    const server = await MongoMemoryServer.create();
    return { url: server.getUri(), via: 'mongodb-memory-server', stop: async () => void (await server.stop()) };
  } catch (error) {
    problems.push(`mongodb-memory-server: ${firstLine(error)}`);
  }
  throw new Error(problems.join('; '));
}

async function startFerretDb(): Promise<MongoServer> {
  const build = resolve(__dirname, '../../tools/ferretdb/build.sh');
  const binary = execFileSync(build, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const folder = mkdtempSync(join(tmpdir(), 'dualstore-ferretdb-'));
  const log = join(folder, 'ferretdb.log');
  const port = await freePort();
  const child = spawn(binary, ['-listen', `127.0.0.1:${port}`, '-dir', join(folder, 'data')], {
    stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
  });
  const stop = async () => {
    await kill(child);
    rmSync(folder, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));

  const url = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      const output = readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ');
      await stop();
      throw new Error(`FerretDB exited with ${child.exitCode}: ${output}`);
    }
    try {
      await ping('mongodb', url);
      return { url, via: `FerretDB 1.24.2 (${binary})`, stop };
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`FerretDB did not answer within 30s: ${firstLine(error)}`);
      }
      await new Promise((done) => setTimeout(done, 200));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

export function firstLine(error: unknown): string {
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  const text = typeof message === 'string' && message !== '' ? message : typeof code === 'string' ? code : String(error);
  return text.split('\n')[0];
}
