import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';

export interface MongoServer {
  url: string;
  via: string;
  stop(): Promise<void>;
}

/** The project's root, whether this runs from the sources or compiled under dist/. */
const root = [resolve(__dirname, '../..'), resolve(__dirname, '../../..')].find((folder) => existsSync(join(folder, 'package.json')))!;

/**
 * A FerretDB of its own, on SQLite in a temporary folder that goes when it
 * stops, on a free port of the loopback. The launcher is built (once, then
 * cached) by build.sh beside this file.
 */
export async function startFerretDb(): Promise<MongoServer> {
  const binary = execFileSync(join(root, 'tools/ferretdb/build.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  // The port was free when picked; another process may take it before FerretDB listens: then another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(binary, await freePort());
    } catch (error) {
      if (attempt === 3 || !(error instanceof PortTaken)) throw error;
    }
  }
}

/** FerretDB could not listen on the port it was given: another process took it first. */
class PortTaken extends Error {}

async function startOn(binary: string, port: number): Promise<MongoServer> {
  const folder = mkdtempSync(join(tmpdir(), 'dualstore-ferretdb-'));
  const log = join(folder, 'ferretdb.log');
  const child = spawn(binary, ['-listen', `127.0.0.1:${port}`, '-dir', join(folder, 'data')], {
    stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
  });
  const stop = async () => {
    await stopChild(child);
    rmSync(folder, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));

  const url = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const output = readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ');
      await stop();
      const message = `FerretDB exited with ${child.exitCode}: ${output}`;
      throw output.includes('address already in use') ? new PortTaken(message) : new Error(message);
    }
    // Only once this FerretDB says it listens: a ping alone could be answered by whoever holds the port.
    const problem = readFileSync(log, 'utf8').includes(`ferretdb listening on 127.0.0.1:${port}`) ? await pingProblem(url) : 'not listening yet';
    if (problem === null) return { url, via: `FerretDB 1.24.2 (${binary})`, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`FerretDB did not answer within 30s: ${problem}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** Null when the server answers a ping, else the first line of why not. */
async function pingProblem(url: string): Promise<string | null> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1_000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return null;
  } catch (error) {
    return String((error as Error).message ?? error).split('\n')[0];
  } finally {
    await client.close();
  }
}

/** A TCP port on the loopback that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** SIGTERM, then SIGKILL if it is still there after 5 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}
