import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

export const storeNames = ['sqlite', 'postgres', 'mysql', 'mongodb'] as const;
export type StoreName = (typeof storeNames)[number];

/** What the global setup found for each store: a server to make databases on, or why there is none. */
export type Provisioned = { ran: true; serverUrl: string; via: string } | { ran: false; reason: string };
export type ProvisionedStores = Record<StoreName, Provisioned>;

const provisionedVariable = 'DUALSTORE_TEST_STORES';

export function publishProvisioned(stores: ProvisionedStores): void {
  process.env[provisionedVariable] = JSON.stringify(stores);
}

export function readProvisioned(): ProvisionedStores {
  const json = process.env[provisionedVariable];
  if (json === undefined) throw new Error(`${provisionedVariable} is not set: run the tests through jest.config.js`);
  return JSON.parse(json) as ProvisionedStores;
}

export function enabledStores(): StoreName[] {
  const provisioned = readProvisioned();
  return storeNames.filter((name) => provisioned[name].ran);
}

/** The default zone of each PostgreSQL test database when the tests run outside UTC. */
const serverTimeZoneOutsideUtc = 'Asia/Kathmandu';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the store's server (or on `serverUrl`), so test files never share data. */
export async function createTestDatabase(name: StoreName, serverUrl?: string): Promise<TestDatabase> {
  const found = readProvisioned()[name];
  if (!found.ran) throw new Error(`${name} was not provisioned: ${found.reason}`);
  const provisioned = { ...found, serverUrl: serverUrl ?? found.serverUrl };
  const database = `dualstore_test_${randomBytes(6).toString('hex')}`;
  switch (name) {
    case 'sqlite': {
      const folder = mkdtempSync(join(tmpdir(), 'dualstore-test-'));
      return { url: `sqlite:${join(folder, 'test.sqlite')}`, drop: async () => rmSync(folder, { recursive: true, force: true }) };
    }
    case 'postgres': {
      await withPostgres(provisioned.serverUrl, async (client) => {
        // A database in a real-world locale (this server's own default is C, which would hide a store
        // that leaves text order to the database): its default collation sorts as en-US does.
        await client.query(`CREATE DATABASE ${database} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
        // Outside UTC, the server is in another zone too: the store must not depend on either.
        if (process.env.TZ !== 'UTC') await client.query(`ALTER DATABASE ${database} SET timezone TO '${serverTimeZoneOutsideUtc}'`);
      });
      return {
        url: withPath(provisioned.serverUrl, database),
        drop: () => withPostgres(provisioned.serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)),
      };
    }
    case 'mysql': {
      await withMysql(provisioned.serverUrl, (connection) => connection.query(`CREATE DATABASE ${database}`));
      return {
        url: withPath(provisioned.serverUrl, database),
        drop: () => withMysql(provisioned.serverUrl, (connection) => connection.query(`DROP DATABASE IF EXISTS ${database}`)),
      };
    }
    case 'mongodb': {
      const url = withPath(provisioned.serverUrl, database);
      return {
        url,
        drop: async () => {
          const client = await MongoClient.connect(url);
          await client.db().dropDatabase();
          await client.close();
        },
      };
    }
  }
}

function withPath(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withPostgres(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

async function withMysql(url: string, work: (connection: Awaited<ReturnType<typeof createConnection>>) => Promise<unknown>): Promise<void> {
  const connection = await createConnection({ uri: url, connectTimeout: 5_000 });
  try {
    await work(connection);
  } finally {
    await connection.end();
  }
}

/** Reaches the server behind a URL and runs one trivial command, or throws why not. */
export async function ping(name: StoreName, serverUrl: string): Promise<void> {
  switch (name) {
    case 'postgres':
      return withPostgres(serverUrl, (client) => client.query('SELECT 1'));
    case 'mysql':
      return withMysql(serverUrl, (connection) => connection.query('SELECT 1'));
    case 'mongodb': {
      const client = new MongoClient(serverUrl, { serverSelectionTimeoutMS: 5_000 });
      try {
        await client.connect();
        await client.db('admin').command({ ping: 1 });
      } finally {
        await client.close();
      }
      return;
    }
    case 'sqlite':
      return;
  }
}
