import { type MongoServer, firstLine, startMongoServer } from './mongo-server';
import { type Provisioned, type ProvisionedStores, ping, publishProvisioned } from './stores';

declare global {
  // Shared with global-teardown.ts, which Jest runs in this same process.
  var dualstoreMongoServer: MongoServer | undefined;
}

const postgresUrl = process.env.POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const mysqlUrl = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';

/** Finds or starts a real server for every store; a store without one is reported by store-reporter.cjs. */
export default async function globalSetup(): Promise<void> {
  const [postgres, mysql, mongodb] = await Promise.all([
    reach('postgres', postgresUrl),
    reach('mysql', mysqlUrl),
    startMongo(),
  ]);
  const stores: ProvisionedStores = {
    sqlite: { ran: true, serverUrl: 'sqlite:', via: 'a temporary file per test file' },
    postgres,
    mysql,
    mongodb,
  };
  publishProvisioned(stores);
}

async function reach(name: 'postgres' | 'mysql', url: string): Promise<Provisioned> {
  try {
    await ping(name, url);
    return { ran: true, serverUrl: url, via: new URL(url).host };
  } catch (error) {
    return { ran: false, reason: `cannot reach ${new URL(url).host}: ${firstLine(error)}` };
  }
}

async function startMongo(): Promise<Provisioned> {
  try {
    const server = await startMongoServer();
    globalThis.dualstoreMongoServer = server;
    return { ran: true, serverUrl: server.url, via: server.via };
  } catch (error) {
    return { ran: false, reason: firstLine(error) };
  }
}
