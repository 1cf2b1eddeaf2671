import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/**
 * One round trip to the store as it left the process: a SQL statement's text, or a MongoDB command's name,
 * collection and filter shape, with every value a placeholder; and how long it took.
 */
export interface StoreOperation {
  /** Never a value: SQL parameters are `?`/`$n` placeholders, inline literals are masked, MongoDB values are `?`. */
  readonly text: string;
  /** performance.now() when it was sent. */
  readonly started: number;
  /** When it settled (answered or failed); undefined while in flight. */
  ended?: number;
}

/** The operations of one request, in the order they were sent. */
export type StoreOperations = StoreOperation[];

const current = new AsyncLocalStorage<StoreOperations>();

/**
 * Runs `work` so that every store operation it issues, and everything it awaits or schedules, is appended to
 * `operations`. Operations issued outside any such call (start-up, migrations, tests' own queries) are not recorded.
 */
export function recordingOperations<T>(operations: StoreOperations, work: () => T): T {
  return current.run(operations, work);
}

/** What an adapter's hook calls once the operation it saw leave has settled. */
export type Settle = () => void;

/**
 * Called by an adapter's hook (src/stores/typeorm/captured-statements.ts, src/stores/mongo/captured-commands.ts)
 * as an operation is sent. Outside a recording request it answers undefined at once, without describing
 * anything; `describe` answers undefined for what is not the service's own operation (a driver's handshake).
 */
export function operationSent(describe: () => string | undefined): Settle | undefined {
  const operations = current.getStore();
  if (operations === undefined) return undefined;
  const text = describe();
  if (text === undefined) return undefined;
  const operation: StoreOperation = { text, started: performance.now() };
  operations.push(operation);
  return () => {
    operation.ended ??= performance.now();
  };
}

/** How long an operation took, or has been running at `now` if it has not settled. */
export function durationOf(operation: StoreOperation, now: number): number {
  return (operation.ended ?? now) - operation.started;
}

/**
 * The time during which at least one operation was in flight, up to `now`: operations sent side by side
 * (MongoDB's parallel reads) are counted once, so that the store's time never exceeds the request's.
 */
export function storeTime(operations: StoreOperations, now: number): number {
  const spans = operations.map((operation) => [operation.started, operation.ended ?? now] as const).sort((a, b) => a[0] - b[0]);
  if (spans.length === 0) return 0;
  let total = 0;
  let [from, to] = spans[0];
  for (const [start, end] of spans) {
    if (start > to) {
      total += to - from;
      [from, to] = [start, end];
    } else if (end > to) {
      to = end;
    }
  }
  return total + (to - from);
}
