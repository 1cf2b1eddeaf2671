import { type MongoServer, startFerretDb } from '../../tools/ferretdb/launch';
import { ping } from './stores';

export type { MongoServer };

/**
 * A MongoDB-compatible server for the tests, first of: MONGODB_URL; FerretDB
 * built from the Go module proxy (for machines without mongod); and
 * mongodb-memory-server (which downloads mongod, so needs the internet).
 */
export async function startMongoServer(): Promise<MongoServer> {
  const given = process.env.MONGODB_URL;
  if (given) {
    await ping('mongodb', given);
    return { url: given, via: 'MONGODB_URL', stop: async () => {} };
  }

  const problems: string[] = [];
  try {
    return await startFerretDb();
  } catch (error) {
    problems.push(`FerretDB: ${firstLine(error)}`);
  }
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server-core');
    const server = await MongoMemoryServer.create();
    return { url: server.getUri(), via: 'mongodb-memory-server', stop: async () => void (await server.stop()) };
  } catch (error) {
    problems.push(`mongodb-memory-server: ${firstLine(error)}`);
  }
  throw new Error(problems.join('; '));
}

export function firstLine(error: unknown): string {
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  const text = typeof message === 'string' && message !== '' ? message : typeof code === 'string' ? code : String(error);
  return text.split('\n')[0];
}
