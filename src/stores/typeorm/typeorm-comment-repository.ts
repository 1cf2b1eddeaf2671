import type { DataSource, EntitySchema } from 'typeorm';
import type { AuthoredComment, Comment, CommentQuery, NewComment } from '../../domain/comment';
import { InvalidReferenceError, NotAuthorError, NotFoundError } from '../../domain/errors';
import type { Slice } from '../../domain/listing';
import type { CommentRepository } from '../../domain/repositories';
import { columnValues, insertStatement } from './bulk-inserts';
import { type SqlDialect, dialectOf } from './dialect';
import { DirectStatements } from './direct-statements';
import type { CommentRow, UserRow } from './entities';
import { isForeignKeyViolation } from './sql-errors';
import { parseSqlId } from './sql-id';
import type { Statement } from './transactions';
import { toUser } from './typeorm-user-repository';
import { hydrate } from './versioned-writes';

/**
 * Comments in their own table, with foreign keys to the post and the author that cascade: a create is one
 * INSERT, which the foreign key refuses when the post or the author is gone (read apart only then, to tell
 * which); reads join each comment to its author, so a page is one statement whatever its length.
 */
/**
 * Strictly beyond a position in the page's order, `(created_at, id) > (at, id)` oldest first and `<` newest
 * first, in the form each planner reads as a range of the index (newest first, read backwards). PostgreSQL
 * needs the row comparison: given the OR, it reads the index by post and date only, misjudges how few rows
 * the OR leaves and sorts them.
 */
const seekCondition: Record<SqlDialect, (beyond: '>' | '<') => string> = {
  sqlite: (beyond) => `c.created_at ${beyond}= :at AND (c.created_at ${beyond} :at OR (c.created_at = :at AND c.id ${beyond} :afterId))`,
  postgres: (beyond) => `c.created_at ${beyond}= :at AND (c.created_at, c.id) ${beyond} (:at, :afterId)`,
  mysql: (beyond) => `c.created_at ${beyond}= :at AND (c.created_at ${beyond} :at OR (c.created_at = :at AND c.id ${beyond} :afterId))`,
};

/**
 * The page of a post's comments, as the adapter runs it: oldest or newest first, a range of the index
 * (post_id, created_at, id) beyond the position, read forwards or backwards, each comment joined to its
 * author by primary key. `withAuthor` is the repository's SELECT of both. Null when an id names no possible row.
 */
export function commentPage(dialect: SqlDialect, withAuthor: string, { postId, limit, order = 'oldest', after }: CommentQuery): Statement | null {
  const post = parseSqlId(postId);
  const afterId = after === undefined ? undefined : parseSqlId(after.id);
  if (post === null || afterId === null) return null;
  const [beyond, direction] = order === 'newest' ? (['<', ' DESC'] as const) : (['>', ''] as const);
  return {
    sql: [
      `${withAuthor} WHERE c.post_id = :post`,
      ...(after === undefined ? [] : [`AND ${seekCondition[dialect](beyond)}`]),
      `ORDER BY c.created_at${direction}, c.id${direction} LIMIT ${limit + 1}`,
    ].join(' '),
    parameters: { post, ...(after !== undefined && { at: after.value, afterId }) },
  };
}

export class TypeOrmCommentRepository implements CommentRepository {
  private readonly statements: DirectStatements;
  private readonly dialect: SqlDialect;
  /** Each comment's columns and its author's, under the prefixes `c_` and `u_`. */
  readonly withAuthor: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: EntitySchema<CommentRow>,
    private readonly userSchema: EntitySchema<UserRow>,
    /** Whether INSERT … RETURNING works here (see insertCanReturn). */
    private readonly returning: boolean,
  ) {
    this.statements = new DirectStatements(dataSource, 'comment');
    this.dialect = dialectOf(dataSource.options);
    const columns = (alias: string, target: EntitySchema<never>) =>
      dataSource
        .getMetadata(target)
        .columns.filter((column) => column.isSelect)
        .map(({ databaseName }) => `${alias}.${databaseName} AS ${alias}_${databaseName}`);
    this.withAuthor = `SELECT ${[...columns('c', schema as EntitySchema<never>), ...columns('u', userSchema as EntitySchema<never>)].join(', ')} FROM comments c JOIN users u ON u.id = c.author_id`;
  }

  async create(input: NewComment): Promise<Comment> {
    const postId = parseSqlId(input.postId);
    if (postId === null) throw new NotFoundError('post', input.postId);
    const authorId = parseSqlId(input.authorId);
    if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
    const now = new Date();
    const row: Omit<CommentRow, 'id'> = { postId, authorId, content: input.content, createdAt: now, updatedAt: now };
    const insert = insertStatement('comments', [columnValues(this.dataSource, this.schema, row)], this.returning ? ' RETURNING id' : '');
    try {
      const outcome = await this.statements.run(insert.sql, insert.parameters);
      const id = this.returning ? Number(outcome.rows[0].id) : outcome.insertId!;
      return toComment({ ...row, id });
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      const [post] = (await this.statements.run('SELECT id FROM posts WHERE id = :postId', { postId })).rows;
      throw post === undefined ? new NotFoundError('post', input.postId) : new InvalidReferenceError('authorId', input.authorId);
    }
  }

  async findById(postId: string, id: string): Promise<AuthoredComment | null> {
    const post = parseSqlId(postId);
    const comment = parseSqlId(id);
    if (post === null || comment === null) return null;
    const [raw] = (await this.statements.run(`${this.withAuthor} WHERE c.id = :comment AND c.post_id = :post`, { comment, post })).rows;
    return raw === undefined ? null : this.authored(raw);
  }

  /** A comment's number is its id. */
  async findByNumber(postId: string, number: number): Promise<AuthoredComment | null> {
    return this.findById(postId, String(number));
  }

  /** Two statements, side by side: whether the post exists, and the page (commentPage). */
  async find(query: CommentQuery): Promise<Slice<AuthoredComment> | null> {
    const post = parseSqlId(query.postId);
    if (post === null) return null;
    const exists = this.statements.run('SELECT id FROM posts WHERE id = :post', { post });
    const statement = commentPage(this.dialect, this.withAuthor, query);
    // A cursor's id that no comment could have ends the list there.
    const page = statement === null ? Promise.resolve({ rows: [] }) : this.statements.run(statement.sql, statement.parameters);
    const [{ rows: found }, { rows }] = await Promise.all([exists, page]);
    if (found.length === 0) return null;
    const { limit } = query;
    return { items: rows.slice(0, limit).map((raw) => this.authored(raw)), hasMore: rows.length > limit };
  }

  async delete(postId: string, id: string, callerId: string): Promise<void> {
    const post = parseSqlId(postId);
    const comment = parseSqlId(id);
    if (post === null) throw new NotFoundError('post', postId);
    if (comment === null) throw new NotFoundError('comment', id);
    const caller = parseSqlId(callerId) ?? 0;
    const { affected } = await this.statements.run(
      'DELETE FROM comments WHERE id = :comment AND post_id = :post AND (author_id = :caller OR EXISTS (SELECT 1 FROM posts p WHERE p.id = :post AND p.author_id = :caller))',
      { comment, post, caller },
    );
    if (affected > 0) return;
    const [found] = (await this.statements.run('SELECT p.id AS post, c.id AS comment FROM posts p LEFT JOIN comments c ON c.id = :comment AND c.post_id = p.id WHERE p.id = :post', { comment, post })).rows;
    if (found === undefined) throw new NotFoundError('post', postId);
    throw found.comment === null ? new NotFoundError('comment', id) : new NotAuthorError('comment', id);
  }

  private authored(raw: Record<string, unknown>): AuthoredComment {
    return { ...toComment(hydrate(this.dataSource, this.schema, raw, 'c_')), author: toUser(hydrate(this.dataSource, this.userSchema, raw, 'u_')) };
  }
}

function toComment(row: CommentRow): Comment {
  return {
    id: String(row.id),
    number: row.id,
    postId: String(row.postId),
    authorId: String(row.authorId),
    content: row.content,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
