import { type StoreName, readProvisioned } from './stores';

/** Marks a check the server under test cannot show; store-reporter.cjs lists it by name in the store's line. */
export const notCheckableMark = 'NOT CHECKABLE on';

/**
 * Guarantees the adapter is written for but FerretDB 1.24 cannot show (it
 * stands in for MongoDB here). Each is declared, with its reason, as a Jest
 * `todo` under its own title on FerretDB, and runs as a test everywhere else
 * (real MongoDB included): never silently skipped.
 */
const ferretDbGaps = {
  'update isolation across instances':
    'FerretDB issue #3040: concurrent updates of one document are not isolated; the adapter queues them within one process only',
  'index use by list queries':
    'FerretDB 1.24 pushes neither sorts nor most filters down to its SQLite storage: its explain shows a whole-table SCAN with sortPushdown and filterPushdown false, and no index use to check',
} as const;

export type StoreGap = keyof typeof ferretDbGaps;

function isFerretDb(store: StoreName): boolean {
  const provisioned = readProvisioned()[store];
  return store === 'mongodb' && provisioned.ran && provisioned.via.startsWith('FerretDB');
}

/** Whether the server under test cannot show `gap`: what only its tests need can then be left unprepared. */
export function cannotShow(store: StoreName, _gap: StoreGap): boolean {
  return isFerretDb(store);
}

/** `it(title, test)`, or, where the store cannot show `gap`, a todo that names the gap and why. */
export function itUnlessGap(store: StoreName, gap: StoreGap, title: string, test: () => Promise<void>, timeout?: number): void {
  if (cannotShow(store, gap)) it.todo(`${title} [${notCheckableMark} FerretDB 1.24: ${gap}: ${ferretDbGaps[gap]}]`);
  else it(title, test, timeout);
}
