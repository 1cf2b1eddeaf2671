import { type DataSource, type EntitySchema, LessThan, Not, type Repository } from 'typeorm';
import { InvalidReferenceError } from '../../domain/errors';
import type { SessionRepository } from '../../domain/repositories';
import type { Session, SignedIn } from '../../domain/session';
import { DirectStatements } from './direct-statements';
import type { SessionRow, UserRow } from './entities';
import { isForeignKeyViolation } from './sql-errors';
import { parseSqlId } from './sql-id';
import { retriedOnDeadlock } from './transactions';
import { toUser } from './typeorm-user-repository';
import { hydrate } from './versioned-writes';

export class TypeOrmSessionRepository implements SessionRepository {
  private readonly rows: Repository<SessionRow>;
  private readonly statements: DirectStatements;
  /** The session and its user in one statement, each column under its table's prefix. */
  private readonly withUser: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: EntitySchema<SessionRow>,
    private readonly userSchema: EntitySchema<UserRow>,
  ) {
    this.rows = dataSource.getRepository(schema);
    this.statements = new DirectStatements(dataSource, 'session');
    const columns = (alias: string, target: EntitySchema<never>) =>
      dataSource
        .getMetadata(target)
        .columns.filter((column) => column.isSelect)
        .map(({ databaseName }) => `${alias}.${databaseName} AS ${alias}_${databaseName}`);
    this.withUser = [
      `SELECT ${[...columns('s', schema as EntitySchema<never>), ...columns('u', userSchema as EntitySchema<never>)].join(', ')}`,
      'FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = :tokenHash',
    ].join(' ');
  }

  async create(session: Session): Promise<void> {
    const userId = parseSqlId(session.userId);
    if (userId === null) throw new InvalidReferenceError('userId', session.userId);
    try {
      await retriedOnDeadlock(() => this.rows.insert({ ...session, userId }));
    } catch (error) {
      throw isForeignKeyViolation(error) ? new InvalidReferenceError('userId', session.userId) : error;
    }
  }

  async findWithUser(tokenHash: string): Promise<SignedIn | null> {
    const [raw] = (await this.statements.run(this.withUser, { tokenHash })).rows;
    if (raw === undefined) return null;
    const session = hydrate(this.dataSource, this.schema, raw, 's_');
    return { session: { ...session, userId: String(session.userId) }, user: toUser(hydrate(this.dataSource, this.userSchema, raw, 'u_')) };
  }

  async delete(tokenHash: string): Promise<void> {
    await this.rows.delete({ tokenHash });
  }

  async deleteExpired(now: Date): Promise<number> {
    // On MariaDB this range delete and a concurrent login's insert can deadlock: either is repeated.
    return (await retriedOnDeadlock(() => this.rows.delete({ expiresAt: LessThan(now) }))).affected ?? 0;
  }

  async deleteForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    const rowId = parseSqlId(userId);
    if (rowId === null) return 0;
    const except = exceptTokenHash === undefined ? {} : { tokenHash: Not(exceptTokenHash) };
    return (await this.rows.delete({ userId: rowId, ...except })).affected ?? 0;
  }
}
