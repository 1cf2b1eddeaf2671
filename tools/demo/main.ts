import { randomBytes } from 'node:crypto';
import { Recorder } from './exchange';
import { Masker } from './mask';
import { type Side, compare } from './report';
import { runConduitScenario, runScenario } from './scenario';

const usage = 'usage: npm run demo -- <baseUrlA> <baseUrlB>   (two running instances, e.g. http://127.0.0.1:3002 http://127.0.0.1:3003)';

/**
 * Runs the scenarios of both APIs, native then Conduit, against two instances of
 * the service, each on its own store, and prints their answers side by side: "identical" and exit 0 when
 * every answer matches once the made-up parts are masked, a diff and exit 1 otherwise.
 */
async function main(): Promise<void> {
  const urls = process.argv.slice(2);
  if (urls.length !== 2 || !urls.every((url) => URL.canParse(url))) {
    process.stderr.write(`${usage}\n`);
    process.exit(2);
  }
  // One name for both sides, new on every run, so a run never meets the accounts of an earlier one.
  const run = randomBytes(4).toString('hex');
  const [a, b] = await Promise.all(urls.map((url) => play(url, run)));
  const width = process.stdout.columns ?? (Number(process.env.COLUMNS) || 200);
  const { text, identical } = compare(a, b, width);
  process.stdout.write(`${text}\n`);
  process.exitCode = identical ? 0 : 1;
}

async function play(baseUrl: string, run: string): Promise<Side> {
  const recorder = new Recorder(baseUrl);
  let failure: string | undefined;
  try {
    await runScenario(recorder, run);
    await runConduitScenario(recorder, run);
  } catch (error) {
    failure = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
  }
  const masker = new Masker(run);
  return { label: baseUrl, exchanges: recorder.exchanges.map((exchange) => masker.exchange(exchange)), failure };
}

void main();
