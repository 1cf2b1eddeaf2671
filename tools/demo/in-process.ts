import type { AddressInfo } from 'node:net';
import { appOptions, createApp } from '../../src/app';
import { type StoreKind, loadConfig } from '../../src/config';
import { createServer, stopServer } from '../../src/http/server';
import { type StoreOperations, recordingOperations } from '../../src/stores/capture';
import { openStore } from '../../src/stores/open-store';
import { createBenchDatabase } from '../bench/databases';

/** The service inside this process, on one store, that tells what the store ran for each request. */
export interface InProcessService {
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  baseUrl: string;
  /** The store: its kind, and the address of the URL it was given (or how a throw-away one was made). */
  kind: StoreKind;
  label: string;
  /** The texts of the operations the store ran since the last call (placeholders only, in the order sent). */
  takeOperations(): string[];
  close(): Promise<void>;
}

const kinds: readonly string[] = ['sqlite', 'postgres', 'mysql', 'mongodb'] satisfies StoreKind[];

/**
 * The service with the default settings on `store`: a DATABASE_URL, or a store kind (`sqlite`, `postgres`, `mysql`,
 * `mongodb`) for a throw-away database on the local servers (POSTGRES_URL, MYSQL_URL, MONGODB_URL or a FerretDB of
 * its own, as the benchmarks make them), dropped on close. Each request runs in a record of its own
 * (src/stores/capture.ts), as the service does under SERVER_TIMING or debug logs; the environment's other settings
 * are not read, so that what it shows is what the defaults do.
 */
export async function serveInProcess(store: string): Promise<InProcessService> {
  const throwAway = kinds.includes(store) ? await createBenchDatabase(store as StoreKind) : undefined;
  const url = throwAway?.url ?? store;
  try {
    const config = loadConfig({ DATABASE_URL: url });
    const opened = await openStore({ ...config.database, captureOperations: true });
    let operations: StoreOperations = [];
    const app = createApp(opened, appOptions(config));
    const server = createServer((req, res) => recordingOperations(operations, () => app(req, res)));
    await new Promise<void>((listening, failed) => server.once('error', failed).listen(0, '127.0.0.1', listening));
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      kind: config.database.kind,
      label: throwAway === undefined ? config.database.kind : `${config.database.kind} (${throwAway.via.replace(/ \(.*\)$/, '')}, throw-away)`,
      takeOperations() {
        const taken = operations;
        operations = [];
        return taken.map(({ text }) => text);
      },
      async close() {
        await stopServer(server, 1000);
        await opened.close();
        await throwAway?.drop();
      },
    };
  } catch (error) {
    await throwAway?.drop();
    throw error;
  }
}
