import type { DataSource, EntitySchema } from 'typeorm';
import { type SqlDialect, dialectOf } from './dialect';
import type { Statement, Work } from './transactions';

/** A row by column name, as a multi-row INSERT takes it. */
export type ColumnValues = Record<string, unknown>;

/**
 * Bound values one statement may carry: SQLite's SQLITE_MAX_VARIABLE_NUMBER in better-sqlite3's build,
 * the lowest of the drivers here (PostgreSQL takes 65,535; mysql2 sends values inline).
 */
const maxParameters = 32_766;
/** Past a few hundred rows, a larger statement saves nothing. */
const maxRows = 1_000;
/**
 * Text per statement, in UTF-16 units: mysql2 writes values into the statement, which MariaDB's default
 * max_allowed_packet (16 MiB) bounds; a unit is at most 3 bytes of UTF-8, or 2 when escaped.
 */
const maxText = 2_000_000;

/** Splits `items` into runs of at most `size`. */
export function* chunks<T>(items: readonly T[], size = maxRows): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/**
 * Splits rows that all have the same columns into runs that each fit one
 * INSERT on every driver here, at most `rowsAtMost` rows each.
 */
export function* batches(rows: readonly ColumnValues[], rowsAtMost = maxRows): Generator<ColumnValues[]> {
  if (rows.length === 0) return;
  const rowLimit = Math.min(rowsAtMost, Math.floor(maxParameters / Object.keys(rows[0]).length));
  let batch: ColumnValues[] = [];
  let text = 0;
  for (const row of rows) {
    const length = textLength(row);
    if (batch.length === rowLimit || (batch.length > 0 && text + length > maxText)) {
      yield batch;
      batch = [];
      text = 0;
    }
    batch.push(row);
    text += length;
  }
  yield batch;
}

function textLength(row: ColumnValues): number {
  let length = 0;
  for (const value of Object.values(row)) if (typeof value === 'string') length += value.length;
  return length;
}

/** One INSERT of `rows` (at least one, all with the columns of the first), each value a named parameter. */
export function insertStatement(table: string, rows: readonly ColumnValues[], suffix = ''): Statement {
  const columns = Object.keys(rows[0]);
  const parameters: Record<string, unknown> = {};
  const tuples = rows.map((row, r) => {
    const names = columns.map((column, c) => {
      const name = `v${r * columns.length + c}`;
      parameters[name] = row[column];
      return `:${name}`;
    });
    return `(${names.join(', ')})`;
  });
  return { sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}${suffix}`, parameters };
}

/** Rows' text per statement, in UTF-16 units, when PostgreSQL takes them as one JSON value (insertStatements). */
const maxJsonText = 16_000_000;

/**
 * INSERTs of `rows` (all with the columns of the first). On PostgreSQL, statements whose one value is the rows
 * as JSON, made rows of `table`'s own column types by json_populate_recordset: the server parses and plans a
 * statement of one parameter, where a multi-row INSERT of a thousand rows has ten thousand. A Date becomes its
 * ISO 8601 text in UTC, which timestamptz reads back to the millisecond. Elsewhere multi-row INSERTs that fit
 * every driver (batches).
 */
export function* insertStatements(dialect: SqlDialect, table: string, rows: readonly ColumnValues[], suffix = ''): Generator<Statement> {
  if (rows.length === 0) return;
  if (dialect !== 'postgres') {
    for (const batch of batches(rows)) yield insertStatement(table, batch, suffix);
    return;
  }
  const columns = Object.keys(rows[0]).join(', ');
  const statement = (chunk: ColumnValues[]): Statement => ({
    sql: `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM json_populate_recordset(NULL::${table}, :rows)${suffix}`,
    parameters: { rows: JSON.stringify(chunk) },
  });
  let chunk: ColumnValues[] = [];
  let text = 0;
  for (const row of rows) {
    const length = textLength(row);
    if (chunk.length > 0 && text + length > maxJsonText) {
      yield statement(chunk);
      chunk = [];
      text = 0;
    }
    chunk.push(row);
    text += length;
  }
  yield statement(chunk);
}

/**
 * Inserts the rows into `table`, whose ids the store issues, many to a statement where the store can answer
 * their ids with RETURNING, else one at a time; answers their ids in the rows' order.
 */
export function* insertWithIds(table: string, rows: readonly ColumnValues[], returning: boolean): Work<number[]> {
  const ids: number[] = [];
  for (const batch of batches(rows, returning ? undefined : 1)) {
    if (returning) {
      const { rows: inserted } = yield insertStatement(table, batch, ' RETURNING id');
      // One INSERT numbers its rows in the order of its VALUES on every store here; RETURNING promises no order.
      for (const id of inserted.map((row) => Number(row.id)).sort((a, b) => a - b)) ids.push(id);
    } else {
      ids.push((yield insertStatement(table, batch)).insertId!);
    }
  }
  return ids;
}

/**
 * A row's values by column name, as the entity maps its fields: the
 * counterpart of `hydrate`. Values are left for the driver to write, as
 * every other statement of transactions.ts does.
 */
export function columnValues<Row>(dataSource: DataSource, schema: EntitySchema<Row>, row: Partial<Row>): ColumnValues {
  const values: ColumnValues = {};
  for (const column of dataSource.getMetadata(schema).columns) {
    const value = (row as Record<string, unknown>)[column.propertyName];
    if (value !== undefined) values[column.databaseName] = value;
  }
  return values;
}

/**
 * Whether an INSERT can answer the ids it made with RETURNING: PostgreSQL,
 * SQLite and MariaDB from 10.5 can; MySQL cannot. A mysql: URL may name
 * either, and TypeORM keeps only the version's number, so the server is asked.
 */
export async function insertCanReturn(dataSource: DataSource): Promise<boolean> {
  if (dialectOf(dataSource.options) !== 'mysql') return true;
  const [{ version }] = (await dataSource.query('SELECT VERSION() AS version')) as { version: string }[];
  const match = /^(\d+)\.(\d+)\..*mariadb/i.exec(version);
  return match !== null && Number(match[1]) * 100 + Number(match[2]) >= 1005;
}
