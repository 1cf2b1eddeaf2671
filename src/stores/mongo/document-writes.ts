import type { ObjectId } from 'mongodb';
import type { ExpectedVersions } from '../../domain/versions';

/**
 * How writes to one document are kept apart. Real MongoDB applies each
 * single-document write atomically, so a version in the filter is enough and
 * writes run as they come. FerretDB 1.24 does not (an update is a read and a
 * whole-document write outside a transaction, FerretDB issue #3040): two
 * concurrent updates can both match one version, or undo each other's
 * fields. There, writes to one document are queued one after another inside
 * this process; several processes on one FerretDB can still lose updates.
 */
export interface DocumentWrites {
  readonly isolation: 'store' | 'process';
  run<T>(id: ObjectId, write: () => Promise<T>): Promise<T>;
}

export const storeIsolatedWrites: DocumentWrites = {
  isolation: 'store',
  run: (_id, write) => write(),
};

/** One queue per document id, dropped when it empties. */
export function processQueuedWrites(): DocumentWrites {
  const tails = new Map<string, Promise<unknown>>();
  return {
    isolation: 'process',
    run<T>(id: ObjectId, write: () => Promise<T>): Promise<T> {
      const key = id.toHexString();
      const result = (tails.get(key) ?? Promise.resolve()).then(write);
      const tail = result.catch(() => {});
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}

/** The filter part that makes a write conditional on the record's version. */
export function versionFilter(expected: ExpectedVersions): { version?: { $in: number[] } } {
  return expected === undefined ? {} : { version: { $in: [...expected] } };
}
