import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { DriverUtils } from 'typeorm/driver/DriverUtils';
import { type DataSource, type EntityTarget, QueryFailedError, type Repository, type SelectQueryBuilder } from 'typeorm';
import type { Position, PostSortField } from '../../domain/listing';
import type { Post } from '../../domain/post';
import { type SqlDialect, dialectOf } from './dialect';
import type { PostRow } from './entities';
import { type PostStatement, favoritesCountColumn, parseTags, tagsColumn } from './post-queries';
// Ids are unique and never change: a post's slug ends with its id, so it needs no column of its own.
import { slugSuffix } from '../../domain/slug';
import { SqliteReader } from './sqlite-reader';
import { bindable } from './sqlite-statements';
import { runDirect } from './direct-statements';

/** A statement's text and the names of its parameters, in the order its placeholders take them. */
interface Prepared {
  sql: string;
  names: string[];
  /** What PostgreSQL knows the statement by, on each connection that has run it. */
  name: string;
}

type ReadKind = 'posts' | 'count' | 'position';

/** Statements of more shapes than this (`skip` makes one per offset) are made again when next needed. */
const maxPrepared = 200;

/** Stands in for a parameter's value while its statement is made, so that the value's place is known. */
const placeholder = '\u0000parameter:';

/**
 * Post reads, the service's hottest statements. TypeORM's query builder makes each shape of statement once;
 * after that it runs with every value bound, never written into its text (TypeORM writes numbers into SQLite
 * statements), so each dialect can reuse what it made of it: SQLite's compiled statements and the servers'
 * plans. Rows become posts column by column, converted as TypeORM
 * converts an entity's.
 */
export class PostReads {
  private readonly prepared = new Map<string, Prepared>();
  /** Statements made so far: each made one gets a new name, as an old one may live on in a connection. */
  private made = 0;
  private readonly rows: Repository<PostRow>;
  private readonly dialect: SqlDialect;
  private readonly columns: { property: string; alias: string; metadata: ColumnMetadata }[];
  /** Lists of a SQLite file are read on a thread of their own (see SqliteReader), started by the first. */
  private reader: SqliteReader | undefined;
  private readonly readerFile: { path: string; timeoutMs: number } | undefined;

  constructor(
    private readonly dataSource: DataSource,
    schema: EntityTarget<PostRow>,
  ) {
    this.rows = dataSource.getRepository(schema);
    this.dialect = dialectOf(dataSource.options);
    this.columns = this.rows.metadata.columns
      .filter((column) => column.isSelect)
      .map((metadata) => ({ property: metadata.propertyName, alias: DriverUtils.buildAlias(dataSource.driver, undefined, 'post', metadata.databaseName), metadata }));
    const { options } = dataSource;
    if (options.type === 'better-sqlite3' && options.database !== ':memory:') this.readerFile = { path: options.database, timeoutMs: options.timeout ?? 5_000 };
  }

  /** The posts the statement selects, each with its tags and favorites count, read in the same statement so that all are of one moment. */
  async posts(statement: PostStatement): Promise<Post[]> {
    const rows: Record<string, unknown>[] = await this.run('posts', statement, false);
    return rows.map((row) => this.toPost(row));
  }

  /** As posts, for a list: the statement may examine many rows, so on SQLite it runs on the reader thread. */
  async list(statement: PostStatement): Promise<Post[]> {
    const rows: Record<string, unknown>[] = await this.run('posts', statement, true);
    return rows.map((row) => this.toPost(row));
  }

  async count(statement: PostStatement): Promise<number> {
    const [row] = await this.run('count', statement, true);
    return Number(row.n);
  }

  /** The position of the one row the statement selects, by the sort's column (its first order) and id; null without a row. */
  async position(statement: PostStatement, field: PostSortField): Promise<Position | null> {
    const [row] = await this.run('position', statement, true);
    if (row === undefined) return null;
    const metadata = this.rows.metadata.findColumnWithPropertyName(field)!;
    return { value: this.dataSource.driver.prepareHydratedValue(row.position_value, metadata), id: String(row.position_id) };
  }

  /** The text and the bound values a read runs with: also for EXPLAIN. */
  statement(kind: ReadKind, statement: PostStatement): [sql: string, values: unknown[]] {
    const prepared = this.prepare(kind, statement);
    return [prepared.sql, this.values(prepared, statement)];
  }

  private values({ names }: Prepared, { parameters }: PostStatement): unknown[] {
    return names.map((name) => this.bound(parameters[name]));
  }

  async close(): Promise<void> {
    await this.reader?.close();
  }

  private async run(kind: ReadKind, statement: PostStatement, examinesMany: boolean): Promise<Record<string, unknown>[]> {
    const prepared = this.prepare(kind, statement);
    const { sql, name } = prepared;
    const values = this.values(prepared, statement);
    // A list of a SQLite file is read on the reader thread; any other read straight on the driver.
    if (examinesMany && this.readerFile !== undefined) {
      this.reader ??= new SqliteReader(this.readerFile.path, this.readerFile.timeoutMs);
      try {
        return await this.reader.all(sql, values);
      } catch (error) {
        throw error instanceof QueryFailedError ? error : new QueryFailedError(sql, values, error as Error);
      }
    }
    return (await runDirect(this.dataSource, { sql, name }, values)).rows;
  }

  private prepare(kind: ReadKind, statement: PostStatement): Prepared {
    const key = `${kind}\n${statement.where.join('\n')}\n${statement.order.flat().join(' ')}\n${statement.limit}\n${statement.offset}`;
    let prepared = this.prepared.get(key);
    if (prepared === undefined) {
      const placeholders = Object.fromEntries(Object.keys(statement.parameters).map((name) => [name, placeholder + name]));
      const [sql, values] = this.build(kind, statement, placeholders).getQueryAndParameters();
      prepared = { sql, names: values.map((value) => String(value).slice(placeholder.length)), name: `dualstore_post_read_${(this.made += 1)}` };
      if (this.prepared.size >= maxPrepared) this.prepared.delete(this.prepared.keys().next().value!);
      this.prepared.set(key, prepared);
    }
    return prepared;
  }

  private build(kind: ReadKind, { where, order, limit, offset }: PostStatement, parameters: Record<string, unknown>): SelectQueryBuilder<PostRow> {
    const query = this.rows.createQueryBuilder('post');
    if (kind === 'count') query.select('COUNT(*)', 'n');
    else if (kind === 'position') query.select(order[0][0], 'position_value').addSelect(order[1][0], 'position_id');
    else query.addSelect(tagsColumn(this.dialect), 'tags').addSelect(favoritesCountColumn(), 'favorites_count');
    for (const condition of where) query.andWhere(condition);
    for (const [column, direction] of order) query.addOrderBy(column, direction);
    if (limit !== undefined) query.limit(limit);
    if (offset !== undefined) query.offset(offset);
    return query.setParameters(parameters);
  }

  /** A value as the driver binds it. */
  private bound(value: unknown): unknown {
    if (typeof value === 'number') return this.dialect === 'sqlite' ? bindable(value) : value;
    return this.dataSource.driver.escapeQueryWithParameters(':value', { value })[1][0];
  }

  private toPost(row: Record<string, unknown>): Post {
    const { driver } = this.dataSource;
    // A loop rather than Object.fromEntries: no pair is made per column and row.
    const post = {} as Record<string, unknown>;
    for (const { property, alias, metadata } of this.columns) post[property] = driver.prepareHydratedValue(row[alias], metadata);
    const { id, authorId, title, description, content, publicationDate, createdAt, updatedAt, version } = post as unknown as PostRow;
    return { id: String(id), authorId: String(authorId), title, slugSuffix: slugSuffix(Number(id)), description, content, publicationDate, createdAt, updatedAt, tags: parseTags(row.tags), version, favoritesCount: Number(row.favorites_count) };
  }
}
