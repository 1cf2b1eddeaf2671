import { spawn } from 'node:child_process';
import { loadRunnerMain } from '../paths';
import type { LoadPlan, LoadResult } from './load-runner';

export type { LoadPlan, LoadResult };

/** Runs one load plan in a separate process (load-runner.ts) and answers what it measured. */
export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [loadRunnerMain], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) => {
      if (code === 0) done(JSON.parse(output) as LoadResult);
      else fail(new Error(`the load runner exited with ${code}: ${errors.trim()}`));
    });
    child.stdin.end(JSON.stringify(plan));
  });
}
