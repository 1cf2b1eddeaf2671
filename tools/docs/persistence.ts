import { join } from 'node:path';
import type { StoreKind } from '../../src/config';
import { type Exchange, Recorder } from '../demo/exchange';
import { serveInProcess } from '../demo/in-process';
import { Masker } from '../demo/mask';
import { runConduitScenario, runScenario } from '../demo/scenario';
import { root, storeKinds } from './modeling';

export const persistencePath = join(root, 'docs/persistence.md');
export const persistenceStaleMessage = 'docs/persistence.md is stale: run npm run docs:persistence';

const storeTitles: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MariaDB', mongodb: 'MongoDB' };

/** One store's run of the scenario: every exchange, masked, with what the store ran for it. */
type Run = Exchange[];

/**
 * docs/persistence.md: the demo's scenario run on a fresh database of each store, one store at a time, with the
 * default settings, and what each store ran for each call. `progress` hears which store is running.
 */
export async function generatePersistenceDoc(progress: (line: string) => void = () => {}): Promise<string> {
  const runs = new Map<StoreKind, Run>();
  for (const kind of storeKinds) {
    progress(`${kind}: the scenario on a throw-away database`);
    runs.set(kind, await scenarioOn(kind));
  }
  return persistenceDoc(runs);
}

async function scenarioOn(kind: StoreKind): Promise<Run> {
  const service = await serveInProcess(kind);
  try {
    const recorder = new Recorder(service.baseUrl, () => service.takeOperations());
    // A fixed run name: the operations hold no value, and the masked paths then read the same on every store.
    await runScenario(recorder, 'docs');
    await runConduitScenario(recorder, 'docs');
    const masker = new Masker('docs');
    return recorder.exchanges.map((exchange) => masker.exchange(exchange));
  } finally {
    await service.close();
  }
}

function persistenceDoc(runs: Map<StoreKind, Run>): string {
  const steps = runs.get('sqlite')!;
  for (const [kind, run] of runs) {
    const differing = run.findIndex((exchange, i) => exchange.step !== steps[i]?.step || exchange.status !== steps[i]?.status);
    if (run.length !== steps.length || differing !== -1) {
      throw new Error(`the scenario went otherwise on ${kind} than on sqlite (step ${differing + 1}): run npm run demo -- --persistence sqlite ${kind}`);
    }
  }
  const count = (kind: StoreKind, i: number) => runs.get(kind)![i].operations?.length ?? 0;
  const lines = [
    '# What each store runs, call by call',
    '',
    '<!-- Written by `npm run docs:persistence`; test/docs/persistence.test.ts fails when it is stale. Do not edit. -->',
    '',
    `The demo's scenario (\`npm run demo\`, \`tools/demo/scenario.ts\`), ${steps.length} calls of the native API and of the`,
    'Conduit API, run on a fresh database of each store with the default settings, and what each store ran for each',
    'call: every SQL statement (`BEGIN` and `COMMIT` included) and every MongoDB command, as the service records them',
    '(`src/stores/capture.ts`), with every value a placeholder. The same record gives the `Server-Timing` header under',
    '`SERVER_TIMING=true` and the operations on the request log line at `LOG_LEVEL=debug`;',
    '`npm run demo -- --persistence A B` shows it beside the answers for any two stores.',
    '',
    'A count here is of operations, each a round trip to a server (SQLite runs in the process: each statement is a',
    'call into it). [round-trips.md](round-trips.md) counts store calls instead, a transaction once, and holds every',
    'call of both APIs to its budget, lists at 2 and 20 items. The MongoDB column shows the commands the driver',
    'sends, whatever server answers them (FerretDB stands in for MongoDB in the tests). Commands it sends side by side',
    '(the feed\'s page and its total, each after its own read of the follows) may be listed in another order on',
    'another run.',
    '',
    '## Operations per call',
    '',
    `| call | answer | ${storeKinds.map((kind) => storeTitles[kind]).join(' | ')} |`,
    `|---|---|${storeKinds.map(() => '---:').join('|')}|`,
    ...steps.map((step, i) => `| [${i + 1}. ${escapeCell(step.step)}](#${slug(heading(step, i))}) \`${step.method} ${step.path}\` | ${step.status} | ${storeKinds.map((kind) => count(kind, i)).join(' | ')} |`),
  ];
  let section: string | undefined;
  steps.forEach((step, i) => {
    if (step.section !== section) {
      section = step.section;
      lines.push('', `## ${section}`);
    }
    lines.push('', `### ${heading(step, i)}`, '', `\`${step.method} ${step.path}\` → ${step.status}`);
    for (const kind of storeKinds) {
      const operations = runs.get(kind)![i].operations ?? [];
      lines.push('', `${storeTitles[kind]}: ${operations.length === 0 ? 'nothing' : ''}`.trimEnd());
      if (operations.length > 0) lines.push('', kind === 'mongodb' ? '```' : '```sql', ...operations, '```');
    }
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The document as the staleness check compares it: each call's operations as a set. MongoDB's reads sent side
 * by side (the feed's page and its total, each after its own read of the follows) leave in either order.
 */
export function comparable(document: string): string {
  return document.replace(/(```[a-z]*\n)([\s\S]*?)(\n```)/g, (_, open: string, body: string, close: string) => open + body.split('\n').sort().join('\n') + close);
}

/** What one store ran, call by call, in the document, as `comparable` orders it: for a message that names the store. */
export function storeOperations(document: string, kind: StoreKind): string[] {
  const blocks = comparable(document).matchAll(new RegExp(`\\n${storeTitles[kind]}: ?(nothing)?\\n(?:\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\`)?`, 'g'));
  return [...blocks].map(([, nothing, body]) => nothing ?? body ?? '');
}

function heading(step: Exchange, i: number): string {
  return `${i + 1}. ${step.step}`;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped but `-` and `_`, each space a `-`. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
