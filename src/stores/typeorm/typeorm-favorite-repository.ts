import type { DataSource, EntitySchema } from 'typeorm';
import { NotFoundError } from '../../domain/errors';
import type { FavoriteQuery, FavoritedPost } from '../../domain/favorites';
import type { Slice } from '../../domain/listing';
import type { FavoriteRepository } from '../../domain/repositories';
import { type SqlDialect, dialectOf } from './dialect';
import { DirectStatements } from './direct-statements';
import type { PostRow } from './entities';
import { favoritesCountColumn, parseTags, tagsColumn } from './post-queries';
import { isForeignKeyViolation } from './sql-errors';
import { parseSqlId } from './sql-id';
import type { Statement } from './transactions';
import { toPost } from './typeorm-post-repository';
import { hydrate } from './versioned-writes';

/**
 * Each write is one statement: the primary key (user_id, post_id) makes a second favorite a no-op, and the
 * foreign keys refuse an unknown post or user (so no read comes before the write). No count is kept: each
 * post read counts its favorites from the index led by post_id (favoritesCountColumn), so a cascade from a
 * deleted user lowers the counts of the posts they favorited with nothing to update.
 */
const favoriteStatement: Record<SqlDialect, string> = {
  sqlite: 'INSERT INTO favorites (user_id, post_id, created_at) VALUES (:userId, :postId, :now) ON CONFLICT DO NOTHING',
  postgres: 'INSERT INTO favorites (user_id, post_id, created_at) VALUES (:userId, :postId, :now) ON CONFLICT DO NOTHING',
  // As for follows: INSERT IGNORE would also ignore the foreign keys' refusal.
  mysql: 'INSERT INTO favorites (user_id, post_id, created_at) VALUES (:userId, :postId, :now) ON DUPLICATE KEY UPDATE user_id = user_id',
};

/** Strictly after a position, newest first: `(created_at, post_id) < (at, id)`, in the form each planner reads as a range of the index. */
const seekCondition: Record<SqlDialect, string> = {
  sqlite: 'f.created_at <= :at AND (f.created_at < :at OR f.post_id < :afterId)',
  postgres: 'f.created_at <= :at AND (f.created_at, f.post_id) < (:at, :afterId)',
  mysql: 'f.created_at <= :at AND (f.created_at < :at OR (f.created_at = :at AND f.post_id < :afterId))',
};

/**
 * The page of a user's favorites, as the adapter runs it: (user_id, created_at, post_id) read from the
 * newest end, each row joined to its post by primary key, with the post's tags and count. Null when an id
 * names no possible row.
 */
export function favoritePage(dialect: SqlDialect, postColumns: string, { userId, limit, after }: FavoriteQuery): Statement | null {
  const id = parseSqlId(userId);
  const afterId = after === undefined ? undefined : parseSqlId(after.id);
  if (id === null || afterId === null) return null;
  const seek = after === undefined ? '' : ` AND ${seekCondition[dialect]}`;
  return {
    sql: `SELECT ${postColumns}, ${tagsColumn(dialect, 'p')} AS tags, ${favoritesCountColumn('p')} AS favorites_count, f.created_at AS favorited_at
       FROM favorites f JOIN posts p ON p.id = f.post_id
       WHERE f.user_id = :id${seek} ORDER BY f.created_at DESC, f.post_id DESC LIMIT :limit`,
    parameters: { id, limit: limit + 1, ...(after && { at: after.value, afterId }) },
  };
}

/** Which of `ids` a user favorites: the primary key, one statement. */
export const favoritedAmongStatement = 'SELECT post_id FROM favorites WHERE user_id = :userId AND post_id IN (:...ids)';

export class TypeOrmFavoriteRepository implements FavoriteRepository {
  private readonly statements: DirectStatements;
  private readonly dialect: SqlDialect;
  /** The post columns a list selects, each as `p_<column>`. */
  readonly postColumns: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly postSchema: EntitySchema<PostRow>,
  ) {
    this.statements = new DirectStatements(dataSource, 'favorite');
    this.dialect = dialectOf(dataSource.options);
    this.postColumns = dataSource
      .getMetadata(postSchema)
      .columns.filter((column) => column.isSelect)
      .map(({ databaseName }) => `p.${databaseName} AS p_${databaseName}`)
      .join(', ');
  }

  async favorite(userId: string, postId: string): Promise<void> {
    const [user, post] = [parseSqlId(userId), parseSqlId(postId)];
    if (post === null) throw new NotFoundError('post', postId);
    if (user === null) throw new NotFoundError('user', userId);
    try {
      await this.statements.run(favoriteStatement[this.dialect], { userId: user, postId: post, now: new Date() });
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // The post is gone, most likely, or the user deleted meanwhile. Read only on this path.
      const { rows } = await this.statements.run('SELECT id FROM posts WHERE id = :post', { post });
      throw rows.length === 0 ? new NotFoundError('post', postId) : new NotFoundError('user', userId);
    }
  }

  async unfavorite(userId: string, postId: string): Promise<void> {
    const [user, post] = [parseSqlId(userId), parseSqlId(postId)];
    if (post === null) throw new NotFoundError('post', postId);
    const { affected } = user === null ? { affected: 0 } : await this.statements.run('DELETE FROM favorites WHERE user_id = :user AND post_id = :post', { user, post });
    // Nothing removed: not a favorite (fine), or no such post (404); only then is the post read.
    if (affected === 0 && (await this.statements.run('SELECT id FROM posts WHERE id = :post', { post })).rows.length === 0) {
      throw new NotFoundError('post', postId);
    }
  }

  /** One statement: the page of favorites from the user's index, joined to the posts (favoritePage). */
  async favorites(query: FavoriteQuery): Promise<Slice<FavoritedPost>> {
    const statement = favoritePage(this.dialect, this.postColumns, query);
    if (statement === null) return { items: [], hasMore: false };
    const { rows } = await this.statements.run(statement.sql, statement.parameters);
    const { limit } = query;
    const createdAt = this.dataSource.getMetadata(this.postSchema).findColumnWithPropertyName('createdAt')!;
    const items = rows.slice(0, limit).map((raw) => ({
      post: toPost({ row: hydrate(this.dataSource, this.postSchema, raw, 'p_'), tags: parseTags(raw.tags), favoritesCount: Number(raw.favorites_count) }),
      favoritedAt: this.dataSource.driver.prepareHydratedValue(raw.favorited_at, createdAt) as Date,
    }));
    return { items, hasMore: rows.length > limit };
  }

  async favoritedAmong(userId: string, postIds: readonly string[]): Promise<Set<string>> {
    const user = parseSqlId(userId);
    const ids = [...new Set(postIds.map(parseSqlId).filter((id) => id !== null))];
    if (user === null || ids.length === 0) return new Set();
    const { rows } = await this.statements.run(favoritedAmongStatement, { userId: user, ids });
    return new Set(rows.map((row) => String(row.post_id)));
  }
}
