import { type DataSource, QueryFailedError } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { type SqlDialect, dialectOf } from './dialect';
import { bindable, compiledStatement, sqliteConnection, whileLocked } from './sqlite-statements';
import type { Outcome } from './transactions';

/** A statement's text and where each of its placeholders takes its value from, in their order. */
interface Prepared {
  sql: string;
  /** A parameter's name, and for an array parameter the index of the item. */
  values: { name: string; index?: number }[];
  /** What PostgreSQL knows the statement by, on each connection that has run it. */
  name: string;
}

/** Statements of more texts than this are made again when next needed. */
const maxPrepared = 200;

/** Stands in for a parameter's value while its statement is made, so that the value's place is known. */
const placeholder = '\u0000parameter:';

/**
 * The statements that serve a request, run straight on the driver, outside TypeORM's query runner (which
 * costs as much as a short read): written once with TypeORM's named parameters (`:name`), made into each
 * dialect's text once, then run with every value bound, so that each store keeps what it made of them
 * (SQLite's compiled statements; PostgreSQL's parsed statement and plan, by name, per connection).
 * A statement outside a transaction is atomic on every store; on SQLite it is tried again, as a whole,
 * while another connection holds the write lock (see whileLocked).
 */
export class DirectStatements {
  private readonly prepared = new Map<string, Prepared>();
  /** Statements made so far: each made one gets a new name, as an old one may live on in a connection. */
  private made = 0;
  private readonly dialect: SqlDialect;

  constructor(
    private readonly dataSource: DataSource,
    /** Names this set's statements on PostgreSQL, apart from any other set's. */
    private readonly prefix: string,
  ) {
    this.dialect = dialectOf(dataSource.options);
  }

  /** Runs `sql`; array parameters (`:...list`) make one text per length. */
  async run(sql: string, parameters: Record<string, unknown> = {}): Promise<Outcome> {
    const prepared = this.prepare(sql, parameters);
    return runDirect(this.dataSource, prepared, this.values(prepared, parameters));
  }

  /** The text and the bound values `sql` runs with: also for EXPLAIN. */
  statement(sql: string, parameters: Record<string, unknown> = {}): [sql: string, values: unknown[]] {
    const prepared = this.prepare(sql, parameters);
    return [prepared.sql, this.values(prepared, parameters)];
  }

  private values({ values }: Prepared, parameters: Record<string, unknown>): unknown[] {
    return values.map(({ name, index }) => this.bound(index === undefined ? parameters[name] : (parameters[name] as unknown[])[index]));
  }

  /** The statement for `sql` with these parameters' names and array lengths: looked up first, made only when new. */
  private prepare(sql: string, parameters: Record<string, unknown>): Prepared {
    let key = `${sql}\n`;
    for (const name in parameters) {
      const value = parameters[name];
      key += `${name}:${Array.isArray(value) ? value.length : '-'},`;
    }
    let prepared = this.prepared.get(key);
    if (prepared === undefined) {
      const placeholders = Object.fromEntries(
        Object.entries(parameters).map(([name, value]) => [name, Array.isArray(value) ? value.map((_, i) => `${placeholder}${name}\u0001${i}`) : placeholder + name]),
      );
      const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, placeholders);
      prepared = { sql: text, values: values.map((value) => valueSource(String(value).slice(placeholder.length))), name: `dualstore_${this.prefix}_${(this.made += 1)}` };
      if (this.prepared.size >= maxPrepared) this.prepared.delete(this.prepared.keys().next().value!);
      this.prepared.set(key, prepared);
    }
    return prepared;
  }

  /** A value as the driver binds it. */
  private bound(value: unknown): unknown {
    if (typeof value === 'number') return this.dialect === 'sqlite' ? bindable(value) : value;
    return this.dataSource.driver.escapeQueryWithParameters(':value', { value })[1][0];
  }
}

/** Where a placeholder's value comes from, by the name it carries: `list\u0001{i}` is the i-th of an array. */
function valueSource(name: string): { name: string; index?: number } {
  const [base, index] = name.split('\u0001');
  return index === undefined ? { name: base } : { name: base, index: Number(index) };
}

/**
 * Runs a statement made by the dialect's driver, with `values` bound, straight on the driver. `name` lets
 * PostgreSQL keep the statement's parse and plan per connection: TypeORM names none.
 */
export async function runDirect(dataSource: DataSource, { sql, name }: { sql: string; name: string }, values: unknown[]): Promise<Outcome> {
  try {
    switch (dialectOf(dataSource.options)) {
      case 'sqlite': {
        const database = sqliteConnection(dataSource);
        return await whileLocked(database, () => {
          const statement = compiledStatement(database, sql);
          if (!statement.reader) return { rows: [], affected: statement.run(...values).changes };
          const rows = statement.all(...values) as Record<string, unknown>[];
          return { rows, affected: rows.length };
        });
      }
      case 'postgres': {
        const result = await (dataSource.driver as PostgresDriver).master.query({ name, text: sql, values });
        return { rows: result.rows, affected: result.rowCount ?? 0 };
      }
      case 'mysql': {
        const { pool } = dataSource.driver as MysqlDriver;
        return await new Promise((done, fail) =>
          pool.query(sql, values, (error: Error | null, result: Record<string, unknown>[] | { affectedRows: number; insertId: number }) => {
            if (error) fail(error);
            else if (Array.isArray(result)) done({ rows: result, affected: result.length });
            else done({ rows: [], affected: result.affectedRows, insertId: result.insertId });
          }),
        );
      }
    }
  } catch (error) {
    // As TypeORM reports a failed query, so that sql-errors.ts reads it the same way.
    throw error instanceof QueryFailedError ? error : new QueryFailedError(sql, values, error as Error);
  }
}
