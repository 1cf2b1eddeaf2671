import { randomBytes } from 'node:crypto';
import { Recorder } from './exchange';
import { type InProcessService, serveInProcess } from './in-process';
import { Masker } from './mask';
import { type Side, compare } from './report';
import { runConduitScenario, runScenario } from './scenario';

const usage = [
  'usage: npm run demo -- <baseUrlA> <baseUrlB>   (two running instances, e.g. http://127.0.0.1:3002 http://127.0.0.1:3003)',
  '       npm run demo -- --persistence <storeA> <storeB>   (each a DATABASE_URL, or sqlite, postgres, mysql or mongodb for a throw-away database)',
].join('\n');

/**
 * Runs the scenarios of both APIs, native then Conduit, against two instances of
 * the service, each on its own store, and prints their answers side by side: "identical" and exit 0 when
 * every answer matches once the made-up parts are masked, a diff and exit 1 otherwise. With `--persistence`,
 * the two instances run in this process on the stores given, and each step also shows what each store ran.
 */
async function main(args: string[]): Promise<number> {
  const persistence = args[0] === '--persistence';
  const targets = persistence ? args.slice(1) : args;
  if (targets.length !== 2 || (!persistence && !targets.every((url) => URL.canParse(url)))) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  // One name for both sides, new on every run, so a run never meets the accounts of an earlier one.
  const run = randomBytes(4).toString('hex');
  const services: InProcessService[] = [];
  try {
    if (persistence) services.push(...(await Promise.all(targets.map((store) => serveInProcess(store)))));
    const recorders = persistence
      ? services.map((service) => Object.assign(new Recorder(service.baseUrl, () => service.takeOperations()), { label: service.label }))
      : targets.map((url) => Object.assign(new Recorder(url), { label: url }));
    const [a, b] = await Promise.all(recorders.map((recorder) => play(recorder, recorder.label, run)));
    const width = process.stdout.columns ?? (Number(process.env.COLUMNS) || 200);
    const { text, identical } = compare(a, b, width);
    process.stdout.write(`${text}\n`);
    return identical ? 0 : 1;
  } finally {
    await Promise.all(services.map((service) => service.close()));
  }
}

async function play(recorder: Recorder, label: string, run: string): Promise<Side> {
  let failure: string | undefined;
  try {
    await runScenario(recorder, run);
    await runConduitScenario(recorder, run);
  } catch (error) {
    failure = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
  }
  const masker = new Masker(run);
  return { label, exchanges: recorder.exchanges.map((exchange) => masker.exchange(exchange)), failure };
}

main(process.argv.slice(2)).then(
  // Once stdout has taken all of the report: a pipe may still hold some of it.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
