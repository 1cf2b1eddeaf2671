import { type DataSource, type EntitySchema, LessThan, Not, type Repository } from 'typeorm';
import { InvalidReferenceError } from '../../domain/errors';
import type { SessionRepository } from '../../domain/repositories';
import type { Session } from '../../domain/session';
import type { SessionRow } from './entities';
import { isForeignKeyViolation } from './sql-errors';
import { parseSqlId } from './sql-id';

export class TypeOrmSessionRepository implements SessionRepository {
  private readonly rows: Repository<SessionRow>;

  constructor(dataSource: DataSource, schema: EntitySchema<SessionRow>) {
    this.rows = dataSource.getRepository(schema);
  }

  async create(session: Session): Promise<void> {
    const userId = parseSqlId(session.userId);
    if (userId === null) throw new InvalidReferenceError('userId', session.userId);
    try {
      await this.rows.insert({ ...session, userId });
    } catch (error) {
      throw isForeignKeyViolation(error) ? new InvalidReferenceError('userId', session.userId) : error;
    }
  }

  async findByTokenHash(tokenHash: string): Promise<Session | null> {
    const row = await this.rows.findOneBy({ tokenHash });
    return row === null ? null : { ...row, userId: String(row.userId) };
  }

  async delete(tokenHash: string): Promise<void> {
    await this.rows.delete({ tokenHash });
  }

  async deleteExpired(now: Date): Promise<number> {
    return (await this.rows.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }

  async deleteForUser(userId: string, exceptTokenHash?: string): Promise<number> {
    const rowId = parseSqlId(userId);
    if (rowId === null) return 0;
    const except = exceptTokenHash === undefined ? {} : { tokenHash: Not(exceptTokenHash) };
    return (await this.rows.delete({ userId: rowId, ...except })).affected ?? 0;
  }
}
