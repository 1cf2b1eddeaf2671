import type { DataSource, QueryRunner } from 'typeorm';
import { type DeferredLoad, type LoadedPost, postColumns, postValues } from './bulk-load-rows';
import { batches, chunks, insertStatement } from './bulk-inserts';
import type { Statement } from './transactions';

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
export class MysqlBulkLoad implements DeferredLoad {
  private runner: QueryRunner | undefined;
  private setAside: SetAside[] = [];
  private nextId = 0;

  constructor(private readonly dataSource: DataSource) {}

  async begin(): Promise<boolean> {
    this.runner = this.dataSource.createQueryRunner();
    await this.runner.connect();
    try {
      const filled = await this.query('SELECT 1 FROM posts UNION ALL SELECT 1 FROM tags UNION ALL SELECT 1 FROM post_tags LIMIT 1');
      if (filled.length > 0) {
        await this.abort();
        return false;
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
      // Ids are given, so that the links can name them, from where the table's counter stands, as it would give them.
      const [{ next }] = await this.query(
        "SELECT COALESCE(AUTO_INCREMENT, 1) AS next FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'posts'",
      );
      this.nextId = Number(next);
      return true;
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

  async addTags(names: string[]): Promise<number[]> {
    const ids: number[] = [];
    // One at a time, as the insert id answers only the first of a statement's rows (and MySQL has no RETURNING).
    for (const name of names) ids.push((await this.runner!.query('INSERT INTO tags (name) VALUES (?)', [name], true)).raw.insertId as number);
    return ids;
  }

  async write(posts: LoadedPost[], tagIds: number[][]): Promise<void> {
    const ids = posts.map(() => this.nextId++);
    const rows = posts.map((post, i) => ({ id: ids[i], ...Object.fromEntries(postValues(post).map((value, c) => [postColumns[c], value])) }));
    const links = tagIds.flatMap((tags, i) => tags.map((tagId) => ({ post_id: ids[i], tag_id: tagId })));
    for (const batch of batches(rows)) await this.run(insertStatement('posts', batch));
    for (const batch of batches(links)) await this.run(insertStatement('post_tags', batch));
  }

  async end(): Promise<void> {
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
