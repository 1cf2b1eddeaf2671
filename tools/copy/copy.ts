import { type DatabaseConfig, databaseConfig } from '../../src/config';
import { ConflictError, StoreTimeoutError, StoreUnavailableError } from '../../src/domain/errors';
import type { Store } from '../../src/domain/repositories';
import { type IdFamily, type RecordKind, recordKinds } from '../../src/domain/transfer';

/** How far a copy has come: for each kind, the records written in this run and how many the source holds. */
export type CopyCounts = Record<RecordKind, { written: number; total: number }>;

export type Resumed = 'began' | 'resumed' | 'finished before';

/**
 * How long one statement or command of a copy may take: a batch of a copy is larger than any request's work,
 * and FerretDB sorts a whole collection for one page, so the service's 5 seconds would end a copy of a large
 * store. A store that stops answering is given up after this much too (see unanswered-sockets.ts).
 */
export const copyStatementTimeoutMs = 600_000;

/** A store of a copy, as `url` names it, with a copy's bounds. */
export function copyDatabase(url: string, schema: DatabaseConfig['schema']): DatabaseConfig {
  return { ...databaseConfig(url, undefined, copyStatementTimeoutMs), schema };
}

/** The target cannot take this copy: it holds other data, or another source's unfinished copy. */
export class TargetRefused extends Error {}

/** A store went away, or stopped answering, during the copy: what was written stays, and the copy goes on from there. */
export class StoreLost extends Error {
  constructor(
    readonly side: 'source' | 'target',
    cause: StoreUnavailableError | StoreTimeoutError,
  ) {
    super(`${cause.message} (${side})`, { cause });
  }
}

/** Runs `call` on one side of the copy, naming that side should its store go away. */
async function on<T>(side: StoreLost['side'], call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw error instanceof StoreUnavailableError || error instanceof StoreTimeoutError ? new StoreLost(side, error) : error;
  }
}

export function idFamily(store: Store): IdFamily {
  return store.kind === 'mongodb' ? 'mongodb' : 'sql';
}

/**
 * Copies every record of `source` into `target`, kind after kind (recordKinds: each after the kinds it refers
 * to), `batch` records per read and per write. The target keeps the copy's position with each batch it writes
 * (TransferRepository.write), so a copy stopped at any moment and started again with the same source goes on
 * after the last batch written. `sourceName` names the source in the target's progress: a copy from
 * another source is refused, as is a target that holds records of its own.
 */
export async function copyStore(
  source: Store,
  target: Store,
  { sourceName, batch, progress }: { sourceName: string; batch: number; progress: (counts: CopyCounts) => void },
): Promise<{ resumed: Resumed; counts: CopyCounts }> {
  const counts = Object.fromEntries(
    await Promise.all(recordKinds.map(async (kind) => [kind, { written: 0, total: await on('source', source.transfer.count(kind)) }] as const)),
  ) as CopyCounts;
  let state = await on('target', target.transfer.progress());
  let resumed: Resumed = 'resumed';
  if (state === null) {
    try {
      await on('target', target.transfer.begin({ source: sourceName, sourceFamily: idFamily(source) }));
    } catch (error) {
      if (error instanceof ConflictError) throw new TargetRefused('the target holds data already: copy into an empty database');
      throw error;
    }
    state = (await on('target', target.transfer.progress()))!;
    resumed = 'began';
  } else if (state.source !== sourceName) {
    throw new TargetRefused(`the target holds an unfinished copy of another source (${state.source})`);
  } else if (state.finished) {
    return { resumed: 'finished before', counts };
  }
  progress(counts);
  for (const kind of recordKinds) {
    const position = state.positions[kind];
    // Done in an earlier run.
    if (position === null) continue;
    let after = position ?? null;
    do {
      const page = await on('source', source.transfer.read(kind, after, batch));
      await on('target', target.transfer.write(kind, page.records, page.next));
      counts[kind].written += page.records.length;
      progress(counts);
      after = page.next;
    } while (after !== null);
  }
  await on('target', target.transfer.finish());
  return { resumed, counts };
}
