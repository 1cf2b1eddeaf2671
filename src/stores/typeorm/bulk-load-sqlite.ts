import type { DataSource } from 'typeorm';
import { type DeferredLoad, type LoadedPost, postColumns, postValues } from './bulk-load-rows';
import { chunks } from './bulk-inserts';
import { bindable, sqliteConnection } from './sqlite-statements';

/** The part of better-sqlite3's connection a load uses. */
interface Connection {
  exec(sql: string): void;
  pragma(source: string, options?: { simple: boolean }): unknown;
  prepare(sql: string): { run(...values: unknown[]): { lastInsertRowid: number | bigint }; all(...values: unknown[]): unknown[] };
}

/** Pages the load's connection may keep in memory (negative: KiB): the whole load, so nothing is written before COMMIT. */
const loadCacheKib = 262_144;

/**
 * SQLite: the whole load is one transaction (BEGIN IMMEDIATE … COMMIT), so a
 * failure anywhere leaves the database as it was; SQLite's DDL is
 * transactional, so the indexes it drops come back with a ROLLBACK too. The
 * foreign keys are part of each table's definition and cannot be dropped:
 * their checks are turned off for the load's connection (PRAGMA foreign_keys,
 * which only works outside a transaction) and PRAGMA foreign_key_check looks
 * at every row before COMMIT. The indexes are made again from the text
 * sqlite_master kept of them, in their first order.
 */
export class SqliteBulkLoad implements DeferredLoad {
  private readonly connection: Connection;
  private indexes: { name: string; sql: string }[] = [];
  /** What the connection's settings were before the load. */
  private cacheSize: number | undefined;
  private readonly storedDates = new Map<number, unknown>();

  constructor(private readonly dataSource: DataSource) {
    this.connection = sqliteConnection(dataSource) as unknown as Connection;
  }

  async begin(): Promise<boolean> {
    const { connection } = this;
    this.cacheSize = connection.pragma('cache_size', { simple: true }) as number;
    connection.pragma(`cache_size = -${loadCacheKib}`);
    connection.pragma('foreign_keys = OFF');
    connection.exec('BEGIN IMMEDIATE');
    try {
      const filled = ['posts', 'tags', 'post_tags'].some((table) => connection.prepare(`SELECT 1 FROM ${table} LIMIT 1`).all().length > 0);
      if (filled) {
        await this.abort();
        return false;
      }
      this.indexes = connection
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('posts', 'post_tags') AND sql IS NOT NULL ORDER BY rowid")
        .all() as { name: string; sql: string }[];
      for (const { name } of this.indexes) connection.exec(`DROP INDEX "${name}"`);
      return true;
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async missingUsers(ids: number[]): Promise<number[]> {
    const found = new Set<number>();
    for (const some of chunks(ids)) {
      const rows = this.connection.prepare(`SELECT id FROM users WHERE id IN (${some.map(() => '?').join(', ')})`).all(...some.map(bindable));
      for (const { id } of rows as { id: number }[]) found.add(Number(id));
    }
    return ids.filter((id) => !found.has(id));
  }

  async addTags(names: string[]): Promise<number[]> {
    const insert = this.connection.prepare('INSERT INTO tags (name) VALUES (?)');
    return names.map((name) => Number(insert.run(name).lastInsertRowid));
  }

  async write(posts: LoadedPost[], tagIds: number[][]): Promise<void> {
    const insertPost = this.connection.prepare(`INSERT INTO posts (${postColumns.join(', ')}) VALUES (${postColumns.map(() => '?').join(', ')})`);
    const insertLink = this.connection.prepare('INSERT INTO post_tags (post_id, tag_id) VALUES (?, ?)');
    posts.forEach((post, i) => {
      const id = insertPost.run(...postValues(post).map((value) => this.stored(value))).lastInsertRowid;
      for (const tagId of tagIds[i]) insertLink.run(id, BigInt(tagId));
    });
  }

  async end(): Promise<void> {
    const { connection } = this;
    for (const { sql } of this.indexes) connection.exec(sql);
    const [broken] = connection.pragma('foreign_key_check') as { table: string; parent: string }[];
    if (broken !== undefined) throw new Error(`the load left a row of ${broken.table} without its ${broken.parent} row`);
    connection.exec('COMMIT');
    this.restore();
  }

  async abort(): Promise<void> {
    try {
      if ((this.connection as unknown as { inTransaction: boolean }).inTransaction) this.connection.exec('ROLLBACK');
    } finally {
      this.restore();
    }
  }

  private restore(): void {
    this.connection.pragma('foreign_keys = ON');
    if (this.cacheSize !== undefined) this.connection.pragma(`cache_size = ${this.cacheSize}`);
  }

  /**
   * A value as the repositories bind it: dates as TypeORM writes them for SQLite (its escaping, so the
   * text is the same), integers as integers (see bindable). Dates repeat: each is converted once.
   */
  private stored(value: unknown): unknown {
    if (!(value instanceof Date)) return bindable(value);
    let stored = this.storedDates.get(value.getTime());
    if (stored === undefined) {
      [stored] = this.dataSource.driver.escapeQueryWithParameters(':value', { value })[1] as unknown[];
      this.storedDates.set(value.getTime(), stored);
    }
    return stored;
  }
}
