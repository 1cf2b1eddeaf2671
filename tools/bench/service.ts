import { spawn } from 'node:child_process';
import { freePort, stopChild } from '../ferretdb/launch';

/** Rate limits the benchmarks' own load would otherwise reach: counted as usual, but never refusing it. */
export const unreachedLimits = { WRITE_RATE_LIMIT: '1000000', EXPENSIVE_READ_RATE_LIMIT: '1000000' };

export interface RunningService {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The server's process, whose memory the bench reads. */
  pid: number;
  /** The last lines the server wrote on its standard error: the baseline writes a 500's cause there. */
  errorOutput(): string;
  stop(): Promise<void>;
}

/**
 * Runs a built service (`dist/src/main.js`) as its own process on DATABASE_URL,
 * so the bench's own work never shares its event loop; answers once it serves.
 * `env` adds to or overrides the service's settings (LOG_LEVEL is silent unless it says otherwise; the
 * rate limits are as shipped unless it passes unreachedLimits).
 */
export async function startService(mainJs: string, databaseUrl: string, env: NodeJS.ProcessEnv = {}): Promise<RunningService> {
  const port = await freePort();
  return startServer('service', [mainJs], port, {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** Runs `node ...args` listening on `port` of the loopback; answers once `GET /posts?limit=1` succeeds there. */
export async function startServer(name: string, args: string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<RunningService> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  let stopping = false;
  // A server that dies under load is otherwise only a "fetch failed" in the bench: say which, and why.
  child.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`[${name}] exited unexpectedly (${signal ?? code}): ${errors.trim().split('\n').slice(-10).join('\n')}\n`);
  });
  const stop = () => {
    stopping = true;
    return stopChild(child);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${errors.trim()}`);
    try {
      if ((await fetch(`${origin}/posts?limit=1`)).ok) return { origin, pid: child.pid!, errorOutput: () => errors.trim().split('\n').slice(-10).join('\n'), stop };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer within 60s: ${errors.trim()}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
