import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import type { StoreKind } from '../../src/config';
import { type MongoServer, startFerretDb } from '../ferretdb/launch';

const postgresServer = process.env.POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const mysqlServer = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';

export interface BenchDatabase {
  url: string;
  /** Where it lives, for the report. */
  via: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one store, made and dropped by the bench. MongoDB is MONGODB_URL when set,
 * else the FerretDB the tests use, started here and stopped on drop.
 */
export async function createBenchDatabase(kind: StoreKind): Promise<BenchDatabase> {
  const name = `dualstore_bench_${randomBytes(4).toString('hex')}`;
  switch (kind) {
    case 'sqlite': {
      const folder = mkdtempSync(join(tmpdir(), 'dualstore-bench-'));
      return { url: `sqlite:${join(folder, 'bench.sqlite')}`, via: 'a temporary file', drop: async () => rmSync(folder, { recursive: true, force: true }) };
    }
    case 'postgres':
      await withPostgres((client) => client.query(`CREATE DATABASE ${name}`));
      return {
        url: withPath(postgresServer, name),
        via: new URL(postgresServer).host,
        drop: () => withPostgres((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
      };
    case 'mysql':
      await withMysql((connection) => connection.query(`CREATE DATABASE ${name}`));
      return {
        url: withPath(mysqlServer, name),
        via: new URL(mysqlServer).host,
        drop: () => withMysql((connection) => connection.query(`DROP DATABASE IF EXISTS ${name}`)),
      };
    case 'mongodb': {
      const given = process.env.MONGODB_URL;
      const server: MongoServer = given ? { url: given, via: 'MONGODB_URL', stop: async () => {} } : await startFerretDb();
      const url = withPath(server.url, name);
      return { url, via: server.via, drop: () => dropMongo(url, server) };
    }
  }
}

async function dropMongo(url: string, server: MongoServer): Promise<void> {
  try {
    const client = await MongoClient.connect(url);
    await client.db().dropDatabase();
    await client.close();
  } finally {
    await server.stop();
  }
}

function withPath(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withPostgres(work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: postgresServer, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

async function withMysql(work: (connection: Awaited<ReturnType<typeof createConnection>>) => Promise<unknown>): Promise<void> {
  const connection = await createConnection({ uri: mysqlServer, connectTimeout: 5_000 });
  try {
    await work(connection);
  } finally {
    await connection.end();
  }
}
