import type { DataSource, EntitySchema } from 'typeorm';
import { NotFoundError } from '../../domain/errors';
import { type FollowQuery, type FollowedUser, refuseSelfFollow } from '../../domain/follows';
import type { Slice } from '../../domain/listing';
import type { FollowRepository } from '../../domain/repositories';
import { type SqlDialect, dialectOf } from './dialect';
import { DirectStatements } from './direct-statements';
import type { UserRow } from './entities';
import { isForeignKeyViolation } from './sql-errors';
import type { Statement } from './transactions';
import { parseSqlId } from './sql-id';
import { toUser } from './typeorm-user-repository';
import { hydrate } from './versioned-writes';

/**
 * Each write is one statement: the primary key (follower_id, followee_id)
 * makes a second follow a no-op, and the foreign keys refuse an unknown user
 * (so no read comes before the write). MariaDB's INSERT IGNORE would also
 * ignore a foreign-key error; ON DUPLICATE KEY UPDATE of a column to itself
 * ignores only the duplicate.
 */
const followStatement: Record<SqlDialect, string> = {
  sqlite: 'INSERT INTO follows (follower_id, followee_id, created_at) VALUES (:followerId, :followeeId, :now) ON CONFLICT DO NOTHING',
  postgres: 'INSERT INTO follows (follower_id, followee_id, created_at) VALUES (:followerId, :followeeId, :now) ON CONFLICT DO NOTHING',
  mysql: 'INSERT INTO follows (follower_id, followee_id, created_at) VALUES (:followerId, :followeeId, :now) ON DUPLICATE KEY UPDATE follower_id = follower_id',
};

/** Strictly after a position, newest first: `(created_at, other) < (at, id)`, in the form each planner reads as a range of the list's index. */
const seekCondition: Record<SqlDialect, (other: string) => string> = {
  sqlite: (other) => `f.created_at <= :at AND (f.created_at < :at OR f.${other} < :afterId)`,
  postgres: (other) => `f.created_at <= :at AND (f.created_at, f.${other}) < (:at, :afterId)`,
  mysql: (other) => `f.created_at <= :at AND (f.created_at < :at OR (f.created_at = :at AND f.${other} < :afterId))`,
};

export type Side = 'followers' | 'following';

/**
 * The page of a follow list, as the adapter runs it: followers of U read (followee_id, created_at,
 * follower_id), those U follows (follower_id, created_at, followee_id), from the newest end, each row joined
 * to its user by primary key. Null when an id names no possible row.
 */
export function followPage(dialect: SqlDialect, userColumns: string, side: Side, { userId, limit, after }: FollowQuery): Statement | null {
  const [self, other] = side === 'followers' ? ['followee_id', 'follower_id'] : ['follower_id', 'followee_id'];
  const id = parseSqlId(userId);
  const afterId = after === undefined ? undefined : parseSqlId(after.id);
  if (id === null || afterId === null) return null;
  const seek = after === undefined ? '' : ` AND ${seekCondition[dialect](other)}`;
  return {
    sql: `SELECT ${userColumns}, f.created_at AS followed_at FROM follows f JOIN users u ON u.id = f.${other}
       WHERE f.${self} = :id${seek} ORDER BY f.created_at DESC, f.${other} DESC LIMIT :limit`,
    parameters: { id, limit: limit + 1, ...(after && { at: after.value, afterId }) },
  };
}

/** Which of `ids` a user follows: the primary key, one statement. */
export const followedAmongStatement = 'SELECT followee_id FROM follows WHERE follower_id = :follower AND followee_id IN (:...ids)';

export class TypeOrmFollowRepository implements FollowRepository {
  private readonly statements: DirectStatements;
  private readonly dialect: SqlDialect;
  /** The user columns a list selects, each as `u_<column>`. */
  readonly userColumns: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly userSchema: EntitySchema<UserRow>,
  ) {
    this.statements = new DirectStatements(dataSource, 'follow');
    this.dialect = dialectOf(dataSource.options);
    this.userColumns = dataSource
      .getMetadata(userSchema)
      .columns.filter((column) => column.isSelect)
      .map(({ databaseName }) => `u.${databaseName} AS u_${databaseName}`)
      .join(', ');
  }

  async follow(followerId: string, followeeId: string): Promise<void> {
    refuseSelfFollow(followerId, followeeId);
    const [follower, followee] = [parseSqlId(followerId), parseSqlId(followeeId)];
    if (follower === null) throw new NotFoundError('user', followerId);
    if (followee === null) throw new NotFoundError('user', followeeId);
    try {
      await this.statements.run(followStatement[this.dialect], { followerId: follower, followeeId: followee, now: new Date() });
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // A user is gone: the followee, most likely, or the follower deleted meanwhile. Read only on this path.
      const { rows } = await this.statements.run('SELECT id FROM users WHERE id = :followee', { followee });
      throw new NotFoundError('user', rows.length === 0 ? followeeId : followerId);
    }
  }

  async unfollow(followerId: string, followeeId: string): Promise<void> {
    refuseSelfFollow(followerId, followeeId);
    const [follower, followee] = [parseSqlId(followerId), parseSqlId(followeeId)];
    if (followee === null) throw new NotFoundError('user', followeeId);
    if (follower === null) return;
    const { affected } = await this.statements.run('DELETE FROM follows WHERE follower_id = :follower AND followee_id = :followee', { follower, followee });
    // Nothing removed: not followed (fine), or no such user (404); only then is the user read.
    if (affected === 0 && (await this.statements.run('SELECT id FROM users WHERE id = :followee', { followee })).rows.length === 0) {
      throw new NotFoundError('user', followeeId);
    }
  }

  followers(query: FollowQuery): Promise<Slice<FollowedUser>> {
    return this.page('followers', query);
  }

  following(query: FollowQuery): Promise<Slice<FollowedUser>> {
    return this.page('following', query);
  }

  async followedAmong(followerId: string, userIds: readonly string[]): Promise<Set<string>> {
    const follower = parseSqlId(followerId);
    const ids = [...new Set(userIds.map(parseSqlId).filter((id) => id !== null))];
    if (follower === null || ids.length === 0) return new Set();
    const { rows } = await this.statements.run(followedAmongStatement, { follower, ids });
    return new Set(rows.map((row) => String(row.followee_id)));
  }

  async followeeIds(followerId: string): Promise<string[]> {
    const follower = parseSqlId(followerId);
    if (follower === null) return [];
    const { rows } = await this.statements.run('SELECT followee_id FROM follows WHERE follower_id = :follower', { follower });
    return rows.map((row) => String(row.followee_id));
  }

  /** One statement: the page of follows from the list's index, joined to the other users (followPage). */
  private async page(side: Side, query: FollowQuery): Promise<Slice<FollowedUser>> {
    const statement = followPage(this.dialect, this.userColumns, side, query);
    if (statement === null) return { items: [], hasMore: false };
    const { rows } = await this.statements.run(statement.sql, statement.parameters);
    const { limit } = query;
    const createdAt = this.dataSource.getMetadata(this.userSchema).findColumnWithPropertyName('createdAt')!;
    const items = rows.slice(0, limit).map((raw) => ({
      user: toUser(hydrate(this.dataSource, this.userSchema, raw, 'u_')),
      followedAt: this.dataSource.driver.prepareHydratedValue(raw.followed_at, createdAt) as Date,
    }));
    return { items, hasMore: rows.length > limit };
  }
}
