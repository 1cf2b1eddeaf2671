import { spawn } from 'node:child_process';
import { freePort, stopChild } from '../ferretdb/launch';

export interface RunningService {
  /** http://127.0.0.1:PORT */
  origin: string;
  stop(): Promise<void>;
}

/**
 * Runs a built service (`dist/src/main.js`) as its own process on DATABASE_URL,
 * so the bench's own work never shares its event loop; answers once it serves.
 */
export async function startService(mainJs: string, databaseUrl: string): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(process.execPath, [mainJs], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}: ${errors.trim()}`);
    try {
      if ((await fetch(`${origin}/posts?limit=1`)).ok) return { origin, stop };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`service did not answer within 60s: ${errors.trim()}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
