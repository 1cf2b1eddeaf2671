import { type DatabaseConfig, serverAddress } from '../config';
import { StoreTimeoutError, StoreUnavailableError } from '../domain/errors';
import type { Store } from '../domain/repositories';

/** Raised when the configured store cannot be reached or prepared at start; its message is one line for the operator. */
export class StoreOpenError extends Error {}

/** Told how long each repository call took, by repository and method (`posts.find`), once it has settled. */
export type OperationTimer = (operation: string, seconds: number) => void;

/**
 * The single switch from DATABASE_URL's scheme to an adapter. Only the adapter of the configured store is
 * loaded, with its drivers: a service on SQLite never loads the MongoDB driver, nor TypeORM one on MongoDB.
 */
export async function openStore(database: DatabaseConfig, timed?: OperationTimer): Promise<Store> {
  const adapter = database.kind === 'mongodb' ? await mongoAdapter() : await sqlAdapter();
  let store: Store;
  try {
    store = await adapter.open(database);
  } catch (error) {
    throw new StoreOpenError(`cannot open ${database.kind} store at ${where(database.url)}: ${reason(error)}`);
  }
  return observed(store, adapter, timed);
}

type ErrorTranslation = (error: unknown) => unknown;

/** How an adapter tells its driver's errors apart. */
interface ErrorKinds {
  isUnavailable(error: unknown): boolean;
  isTimeout(error: unknown): boolean;
}

interface Adapter extends ErrorKinds {
  open(database: DatabaseConfig): Promise<Store>;
}

async function sqlAdapter(): Promise<Adapter> {
  const [{ openTypeOrmStore }, errors] = await Promise.all([import('./typeorm/typeorm-store'), import('./typeorm/sql-errors')]);
  return { open: openTypeOrmStore, isUnavailable: errors.isStoreUnavailable, isTimeout: errors.isStoreTimeout };
}

async function mongoAdapter(): Promise<Adapter> {
  const [{ openMongoStore }, errors] = await Promise.all([import('./mongo/mongo-store'), import('./mongo/mongo-errors')]);
  return { open: openMongoStore, isUnavailable: errors.isStoreUnavailable, isTimeout: errors.isStoreTimeout };
}

/**
 * The store as it is, except that an error its adapter recognises as an outage or as a statement ended by the
 * statement budget, thrown by any method of any object the store exposes (its repositories, whichever there
 * are, and the adapter's own handles), is rethrown as StoreUnavailableError or StoreTimeoutError with the
 * driver's error as its cause, and that every call answering a
 * promise is timed when `timed` is given. Done once here, so no repository can forget it; `instanceof` and
 * every field still work through the proxies.
 */
function observed<S extends Store>(store: S, kinds: ErrorKinds, timed?: OperationTimer): S {
  const translate: ErrorTranslation = (error) =>
    kinds.isUnavailable(error) ? new StoreUnavailableError(error) : kinds.isTimeout(error) ? new StoreTimeoutError(error) : error;
  const wrapped = new WeakMap<object, object>();
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value === 'function') return value.bind(target);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      if (!wrapped.has(value)) wrapped.set(value, observedMethods(value, String(key), translate, timed));
      return wrapped.get(value);
    },
  });
}

function observedMethods<T extends object>(object: T, name: string, translate: ErrorTranslation, timed?: OperationTimer): T {
  return new Proxy(object, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        let result: unknown;
        try {
          result = value.apply(target, args);
        } catch (error) {
          throw translate(error);
        }
        if (!(result instanceof Promise)) return result;
        return settled(result, translate, timed && ((seconds) => timed(`${name}.${String(key)}`, seconds)), started);
      };
    },
  });
}

/** What `result` settles to, a failure translated, timed from `started` when `timed` is given: one promise per call. */
async function settled(result: Promise<unknown>, translate: ErrorTranslation, timed: ((seconds: number) => void) | undefined, started: number): Promise<unknown> {
  try {
    return await result;
  } catch (error) {
    throw translate(error);
  } finally {
    timed?.((performance.now() - started) / 1000);
  }
}

function where(url: string): string {
  return url.startsWith('sqlite:') ? url : serverAddress(url);
}

/** A driver error in one line, its code first: for an operator's terminal, never for an API answer. */
export function reason(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' && message !== '' ? message.split('\n')[0] : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}
