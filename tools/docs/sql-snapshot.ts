import { createConnection } from 'mysql2/promise';
import { Client, type ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';
import type { Masking } from './masking';

export type SqlKind = 'sqlite' | 'postgres' | 'mysql';

/** The tables of the relations this document is about (sessions: the profile's counterpart of MongoDB's copies), each with the order its rows are listed in. */
export const relationTables: readonly { name: string; orderBy: string }[] = [
  { name: 'users', orderBy: 'id' },
  { name: 'posts', orderBy: 'id' },
  { name: 'tags', orderBy: 'id' },
  { name: 'post_tags', orderBy: 'post_id, tag_id' },
  { name: 'follows', orderBy: 'follower_id, followee_id' },
  { name: 'favorites', orderBy: 'user_id, post_id' },
  { name: 'comments', orderBy: 'id' },
  { name: 'sessions', orderBy: 'token_hash' },
];

export interface SqlTable {
  name: string;
  /** The table and its indexes as the store itself writes them. */
  ddl: string;
  columns: string[];
  /** Every value as the server's text (null for NULL), masked. */
  rows: (string | null)[][];
}

export interface SqlSnapshot {
  tables: SqlTable[];
  /** The store's other tables, which no relation here uses. */
  others: string[];
}

/** A query answering every value as the text the server sends, rows in order. */
type TextQuery = (sql: string) => Promise<{ columns: string[]; rows: (string | null)[][] }>;

/**
 * What a SQL store holds after the example: each relation table's DDL and rows, read by a connection of its own
 * that asks the server for text (SQLite: through the store's data source, which hands values back as stored).
 */
export async function sqlSnapshot(kind: SqlKind, url: string, dataSource: DataSource, masking: Masking): Promise<SqlSnapshot> {
  const reader = await textReader(kind, url, dataSource);
  try {
    const names = (await reader.query(tableNamesSql[kind])).rows.map(([name]) => name!);
    const tables: SqlTable[] = [];
    for (const { name, orderBy } of relationTables) {
      if (!names.includes(name)) throw new Error(`${kind}: no table ${name}`);
      const { columns, rows } = await reader.query(`SELECT * FROM ${name} ORDER BY ${orderBy}`);
      tables.push({ name, ddl: await ddlOf(kind, reader.query, name), columns, rows: rows.map((row) => row.map((value, index) => maskValue(columns[index], value, masking))) });
    }
    const others = names.filter((name) => !relationTables.some((table) => table.name === name)).sort();
    return { tables, others };
  } finally {
    await reader.close();
  }
}

function maskValue(column: string, value: string | null, masking: Masking): string | null {
  if (value === null) return null;
  if (column === 'password_hash') return masking.passwordHash(value);
  return masking.text(value);
}

const tableNamesSql: Record<SqlKind, string> = {
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  postgres: "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
  mysql: "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
};

async function ddlOf(kind: SqlKind, query: TextQuery, table: string): Promise<string> {
  switch (kind) {
    case 'sqlite': {
      // The table first, then its indexes in name order; SQLite's own indexes for keys have no SQL.
      const { rows } = await query(
        `SELECT sql FROM sqlite_master WHERE tbl_name = '${table}' AND sql IS NOT NULL ORDER BY type = 'index', name`,
      );
      return rows.map(([sql]) => `${sql};`).join('\n');
    }
    case 'mysql': {
      const { rows } = await query(`SHOW CREATE TABLE \`${table}\``);
      // The next AUTO_INCREMENT value moves with every insert: it is data, not schema.
      return `${rows[0][1]!.replace(/ AUTO_INCREMENT=\d+/, '')};`;
    }
    case 'postgres':
      return postgresDdl(query, table);
  }
}

/**
 * PostgreSQL keeps no CREATE TABLE text: this one is put together from its catalogs (pg_dump would do it, but
 * must match the server's version), with the server's own words for each part: format_type for a column's type,
 * pg_get_expr for its default, pg_get_constraintdef for keys and foreign keys, pg_indexes for the other indexes.
 */
async function postgresDdl(query: TextQuery, table: string): Promise<string> {
  const relation = `'${table}'::regclass`;
  const columns = await query(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod),
            CASE WHEN a.attcollation <> t.typcollation THEN (SELECT quote_ident(collname) FROM pg_collation WHERE oid = a.attcollation) END,
            pg_get_expr(d.adbin, d.adrelid), a.attnotnull::text
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ${relation} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
  );
  const constraints = await query(
    `SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ${relation}
      ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'f' THEN 2 ELSE 3 END, conname`,
  );
  const indexes = await query(
    `SELECT indexdef FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = '${table}'
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
      ORDER BY i.indexname`,
  );
  const lines = [
    ...columns.rows.map(([name, type, collation, fallback, notNull]) =>
      [name, type, collation && `COLLATE ${collation}`, fallback && `DEFAULT ${fallback}`, notNull === 'true' && 'NOT NULL'].filter(Boolean).join(' '),
    ),
    ...constraints.rows.map(([name, definition]) => `CONSTRAINT ${name} ${definition}`),
  ];
  return [`CREATE TABLE ${table} (\n${lines.map((line) => `  ${line}`).join(',\n')}\n);`, ...indexes.rows.map(([definition]) => `${definition};`)].join('\n');
}

interface TextReader {
  query: TextQuery;
  close(): Promise<void>;
}

async function textReader(kind: SqlKind, url: string, dataSource: DataSource): Promise<TextReader> {
  switch (kind) {
    case 'sqlite':
      return {
        query: async (sql) => {
          const rows = (await dataSource.query(sql)) as Record<string, unknown>[];
          // An empty answer names no columns here; every table the example writes has rows.
          const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
          return { columns, rows: rows.map((row) => columns.map((column) => (row[column] === null ? null : String(row[column])))) };
        },
        close: async () => {},
      };
    case 'postgres': {
      // Every value as the server's text, in a session pinned to UTC as the store's are.
      const config: ClientConfig = { connectionString: url, options: '-c TimeZone=UTC', types: { getTypeParser: () => (value: string) => value } as ClientConfig['types'] };
      const client = new Client(config);
      await client.connect();
      return {
        query: async (sql) => {
          const result = await client.query({ text: sql, rowMode: 'array' });
          return { columns: result.fields.map((field) => field.name), rows: result.rows as (string | null)[][] };
        },
        close: () => client.end(),
      };
    }
    case 'mysql': {
      const connection = await createConnection({ uri: url, typeCast: (field) => field.string() });
      return {
        query: async (sql) => {
          const [rows, fields] = await connection.query({ sql, rowsAsArray: true });
          return { columns: (fields ?? []).map((field) => field.name), rows: rows as (string | null)[][] };
        },
        close: () => connection.end(),
      };
    }
  }
}
