import { type DatabaseConfig, serverAddress } from '../config';
import type { Store } from '../domain/repositories';
import { openMongoStore } from './mongo/mongo-store';
import { openTypeOrmStore } from './typeorm/typeorm-store';

/** Raised when the configured store cannot be reached or prepared; its message is one line for the operator. */
export class StoreUnavailableError extends Error {}

/** The single switch from DATABASE_URL's scheme to an adapter. */
export async function openStore(database: DatabaseConfig): Promise<Store> {
  try {
    return database.kind === 'mongodb' ? await openMongoStore(database) : await openTypeOrmStore(database);
  } catch (error) {
    throw new StoreUnavailableError(`cannot open ${database.kind} store at ${where(database.url)}: ${reason(error)}`);
  }
}

function where(url: string): string {
  return url.startsWith('sqlite:') ? url : serverAddress(url);
}

function reason(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' && message !== '' ? message.split('\n')[0] : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}
