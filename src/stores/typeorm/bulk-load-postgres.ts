import type { Connection, PoolClient, Submittable } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { type DeferredLoad, type LoadedPost, postColumns, postValues } from './bulk-load-rows';

/** Memory the index builds at the end may sort in, for the load's transaction only (the server's default is 64 MB). */
const indexBuildMemory = '256MB';

/**
 * PostgreSQL: the whole load is one transaction, DDL included, so a failure
 * leaves the database as it was. The tables are locked for it; the foreign
 * keys and secondary indexes of `posts` and `post_tags` are dropped, the rows
 * sent with COPY, then the server makes the indexes (from pg_indexes'
 * definitions) and the constraints (from pg_get_constraintdef) again, the
 * constraints checking every row as they are added. Post ids are taken from
 * the posts' own sequence, as the column's default would.
 */
export class PostgresBulkLoad implements DeferredLoad {
  private runner: QueryRunner | undefined;
  private client: PoolClient | undefined;
  /** The statements that make again what begin dropped. */
  private remake: string[] = [];
  private sequence = '';

  constructor(private readonly dataSource: DataSource) {}

  async begin(): Promise<boolean> {
    this.runner = this.dataSource.createQueryRunner();
    this.client = (await this.runner.connect()) as PoolClient;
    await this.query('BEGIN');
    try {
      await this.query('LOCK TABLE posts, post_tags, tags IN ACCESS EXCLUSIVE MODE');
      const { rows: filled } = await this.query('SELECT 1 FROM posts UNION ALL SELECT 1 FROM tags UNION ALL SELECT 1 FROM post_tags LIMIT 1');
      if (filled.length > 0) {
        await this.abort();
        return false;
      }
      await this.query(`SET LOCAL maintenance_work_mem = '${indexBuildMemory}'`);
      const { rows: constraints } = await this.query<{ drop: string; add: string }>(
        `SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop,
                format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS add
           FROM pg_constraint WHERE contype = 'f' AND conrelid IN ('posts'::regclass, 'post_tags'::regclass) ORDER BY conname`,
      );
      // Indexes of constraints (the primary keys) stay.
      const { rows: indexes } = await this.query<{ drop: string; add: string }>(
        `SELECT format('DROP INDEX %I.%I', schemaname, indexname) AS drop, indexdef AS add
           FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('posts', 'post_tags')
            AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid IN ('posts'::regclass, 'post_tags'::regclass))
          ORDER BY indexname`,
      );
      for (const { drop } of [...constraints, ...indexes]) await this.query(drop);
      this.remake = [...indexes, ...constraints].map(({ add }) => add);
      this.sequence = (await this.query<{ name: string }>("SELECT pg_get_serial_sequence('posts', 'id') AS name")).rows[0].name;
      return true;
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async missingUsers(ids: number[]): Promise<number[]> {
    // FOR KEY SHARE, as a foreign key's check locks the row it finds: no one can delete these users until COMMIT.
    const { rows } = await this.query<{ id: number }>('SELECT id FROM users WHERE id = ANY($1::int[]) FOR KEY SHARE', [ids]);
    const found = new Set(rows.map(({ id }) => Number(id)));
    return ids.filter((id) => !found.has(id));
  }

  async addTags(names: string[]): Promise<number[]> {
    const { rows } = await this.query<{ id: number; name: string }>('INSERT INTO tags (name) SELECT unnest($1::text[]) RETURNING id, name', [names]);
    const ids = new Map(rows.map(({ id, name }) => [name, Number(id)]));
    return names.map((name) => ids.get(name)!);
  }

  async write(posts: LoadedPost[], tagIds: number[][]): Promise<void> {
    const { rows } = await this.query<{ id: string }>('SELECT nextval($1::regclass) AS id FROM generate_series(1, $2)', [this.sequence, posts.length]);
    const ids = rows.map(({ id }) => Number(id));
    let postLines = '';
    let linkLines = '';
    posts.forEach((post, i) => {
      postLines += `${ids[i]},${postValues(post).map(csvField).join(',')}\n`;
      for (const tagId of tagIds[i]) linkLines += `${ids[i]},${tagId}\n`;
    });
    await this.copy(`COPY posts (id, ${postColumns.join(', ')}) FROM STDIN (FORMAT csv)`, postLines);
    if (linkLines !== '') await this.copy('COPY post_tags (post_id, tag_id) FROM STDIN (FORMAT csv)', linkLines);
  }

  async end(): Promise<void> {
    for (const statement of this.remake) await this.query(statement);
    await this.query('COMMIT');
    this.release();
  }

  async abort(): Promise<void> {
    try {
      // ROLLBACK undoes the drops too: PostgreSQL's DDL is transactional.
      if (this.client !== undefined) await this.query('ROLLBACK');
    } finally {
      this.release();
    }
  }

  private release(): void {
    this.client = undefined;
    void this.runner?.release();
    this.runner = undefined;
  }

  private query<Row = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<{ rows: Row[] }> {
    return this.client!.query(sql, values) as unknown as Promise<{ rows: Row[] }>;
  }

  private copy(sql: string, text: string): Promise<void> {
    return new Promise((done, fail) => {
      this.client!.query(new CopyIn(sql, Buffer.from(text), (error) => (error ? fail(error) : done())));
    });
  }
}

/** A value in COPY's CSV format: text always quoted (an unquoted empty field would be NULL), instants in ISO 8601. */
function csvField(value: unknown): string {
  if (typeof value === 'string') return `"${value.replaceAll('"', '""')}"`;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * COPY … FROM STDIN of one buffer, through pg's Submittable, the hook
 * pg-copy-streams uses: the client hands over its connection when the
 * statement's turn comes, and passes on the server's answers.
 */
class CopyIn implements Submittable {
  constructor(
    private readonly text: string,
    private readonly data: Buffer,
    private readonly callback: (error?: Error) => void,
  ) {}

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: Connection & { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.callback();
  }

  handleError(error: Error): void {
    this.callback(error);
  }
}
