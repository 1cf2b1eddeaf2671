import type { DataSource, QueryRunner } from 'typeorm';
import { type DeferredLoad, type LoadBatch, type NextIds, postColumns, postValues } from './bulk-load-rows';
import { type ColumnValues, batches, chunks, insertStatement } from './bulk-inserts';
import type { Statement } from './transactions';

/** The part of mysql2's connection used to write a statement's values into its text, as its query() does. */
interface Formatter {
  format(sql: string, values: unknown[]): string;
}

/** A table's parts that a load sets aside: how to drop them, and how to add them back as they were. */
interface SetAside {
  table: string;
  drop: string[];
  add: string[];
}

/**
 * MariaDB/MySQL: DDL commits whatever came before it, so the load cannot be
 * one unit as on the other stores. The foreign keys and secondary indexes of
 * `posts` and `post_tags` are dropped first (one ALTER TABLE each), the rows
 * written in one transaction with the session's foreign_key_checks off, then
 * put back in one ALTER TABLE each, copied from SHOW CREATE TABLE in their
 * order, so that the table reads the same after. With the checks off, adding
 * a foreign key does not read the rows; the references are sound anyway: the
 * authors are read, locked against deletion, before their posts are written,
 * and the load makes the posts and tags its links point to.
 * A failure rolls the rows back and puts the indexes back; only a process
 * killed mid-load leaves the tables without them (drop the database then).
 * unique_checks stays on: these tables have no secondary unique index to defer.
 */
export class MysqlBulkLoad implements DeferredLoad<string[]> {
  private runner: QueryRunner | undefined;
  private setAside: SetAside[] = [];
  private formatter: Formatter | undefined;

  constructor(private readonly dataSource: DataSource) {}

  async begin(): Promise<NextIds | null> {
    this.runner = this.dataSource.createQueryRunner();
    this.formatter = (await this.runner.connect()) as Formatter;
    try {
      const filled = await this.query('SELECT 1 FROM posts UNION ALL SELECT 1 FROM tags UNION ALL SELECT 1 FROM post_tags LIMIT 1');
      if (filled.length > 0) {
        await this.abort();
        return null;
      }
      await this.query('SET SESSION foreign_key_checks = 0');
      for (const table of ['posts', 'post_tags']) {
        const [created] = await this.query(`SHOW CREATE TABLE ${table}`);
        const parts = setAside(table, String(created['Create Table']));
        if (parts.drop.length === 0) continue;
        await this.query(`ALTER TABLE ${table} ${parts.drop.join(', ')}`);
        this.setAside.push(parts);
      }
      await this.query('START TRANSACTION');
      const counters = await this.query(
        "SELECT TABLE_NAME AS name, COALESCE(AUTO_INCREMENT, 1) AS next FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('posts', 'tags')",
      );
      const next = new Map(counters.map(({ name, next }) => [name, Number(next)]));
      return { post: next.get('posts')!, tag: next.get('tags')! };
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async missingUsers(ids: number[]): Promise<number[]> {
    const found = new Set<number>();
    for (const some of chunks(ids)) {
      // A shared lock, as a foreign key's check takes: no one can delete these users until COMMIT.
      const rows = await this.run({ sql: 'SELECT id FROM users WHERE id IN (:...ids) LOCK IN SHARE MODE', parameters: { ids: some } });
      for (const { id } of rows) found.add(Number(id));
    }
    return ids.filter((id) => !found.has(id));
  }

  /** The batch's INSERT statements, each with its values written in, as the repositories' are sent. */
  prepare({ posts, tags, links }: LoadBatch): string[] {
    const rows = posts.map(({ id, post }) => {
      const row: ColumnValues = { id };
      postValues(post).forEach((value, c) => (row[postColumns[c]] = value));
      return row;
    });
    const statements: string[] = [];
    for (const [table, tableRows] of [
      ['tags', tags],
      ['posts', rows],
      ['post_tags', links.map(({ postId, tagId }) => ({ post_id: postId, tag_id: tagId }))],
    ] as const) {
      for (const batch of batches(tableRows)) {
        const { sql, parameters } = insertStatement(table, batch);
        const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, parameters ?? {});
        statements.push(this.formatter!.format(text, values));
      }
    }
    return statements;
  }

  async send(statements: string[]): Promise<void> {
    for (const statement of statements) await this.query(statement);
  }

  async end(_next: NextIds): Promise<void> {
    await this.query('COMMIT');
    await this.putBack();
    await this.query('SET SESSION foreign_key_checks = 1');
    await this.release();
  }

  async abort(): Promise<void> {
    try {
      if (this.runner !== undefined) {
        await this.query('ROLLBACK');
        await this.putBack();
        await this.query('SET SESSION foreign_key_checks = 1');
      }
    } finally {
      await this.release();
    }
  }

  private async putBack(): Promise<void> {
    while (this.setAside.length > 0) {
      const { table, add } = this.setAside[0];
      await this.query(`ALTER TABLE ${table} ${add.join(', ')}`);
      this.setAside.shift();
    }
  }

  private async release(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    await runner?.release();
  }

  private query(sql: string): Promise<Record<string, unknown>[]> {
    return this.runner!.query(sql) as Promise<Record<string, unknown>[]>;
  }

  /** A statement with TypeORM's named parameters, escaped as the repositories' statements are. */
  private run({ sql, parameters = {} }: Statement): Promise<Record<string, unknown>[]> {
    const [text, values] = this.dataSource.driver.escapeQueryWithParameters(sql, parameters);
    return this.runner!.query(text, values) as Promise<Record<string, unknown>[]>;
  }
}

/**
 * The non-unique indexes and the foreign keys of a table, read from its SHOW CREATE TABLE: one clause a
 * line (`  KEY \`name\` (…),`, `  CONSTRAINT \`name\` FOREIGN KEY …`), added back as written.
 */
function setAside(table: string, created: string): SetAside {
  const drop: string[] = [];
  const keys: string[] = [];
  const foreignKeys: string[] = [];
  for (const line of created.split('\n')) {
    const clause = line.trim().replace(/,$/, '');
    const key = /^KEY (`[^`]+`)/.exec(clause);
    const foreignKey = /^CONSTRAINT (`[^`]+`) FOREIGN KEY/.exec(clause);
    if (foreignKey !== null) {
      drop.unshift(`DROP FOREIGN KEY ${foreignKey[1]}`);
      foreignKeys.push(`ADD ${clause}`);
    } else if (key !== null) {
      drop.push(`DROP INDEX ${key[1]}`);
      keys.push(`ADD ${clause}`);
    }
  }
  return { table, drop, add: [...keys, ...foreignKeys] };
}
