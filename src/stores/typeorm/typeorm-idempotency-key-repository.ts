import { type DataSource, type EntitySchema, IsNull, LessThanOrEqual, MoreThan, type Repository } from 'typeorm';
import type { IdempotencyRecord, StoredResponse } from '../../domain/idempotency';
import type { IdempotencyKeyRepository } from '../../domain/repositories';
import type { IdempotencyKeyRow } from './entities';
import { isForeignKeyViolation, isUniqueViolation } from './sql-errors';
import { parseSqlId } from './sql-id';
import { retriedOnDeadlock } from './transactions';

export class TypeOrmIdempotencyKeyRepository implements IdempotencyKeyRepository {
  private readonly rows: Repository<IdempotencyKeyRow>;

  constructor(dataSource: DataSource, schema: EntitySchema<IdempotencyKeyRow>) {
    this.rows = dataSource.getRepository(schema);
  }

  async claim(record: IdempotencyRecord, now: Date): Promise<boolean> {
    // Concurrent claims on MariaDB: one's sweep and another's insert can deadlock; both steps are safe to repeat.
    return retriedOnDeadlock(async () => {
      await this.rows.delete({ expiresAt: LessThanOrEqual(now) });
      try {
        await this.rows.insert(toRow(record));
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    });
  }

  async find(id: string, now: Date): Promise<IdempotencyRecord | null> {
    const row = await this.rows.findOneBy({ id, expiresAt: MoreThan(now) });
    return row === null ? null : toRecord(row);
  }

  async complete(id: string, claimToken: string, response: StoredResponse, expiresAt: Date, userId?: string): Promise<boolean> {
    const owner = userId === undefined ? {} : { userId: parseSqlId(userId) };
    try {
      const result = await this.rows.update({ id, claimToken, responseStatus: IsNull() }, { ...responseColumns(response), expiresAt, ...owner });
      return (result.affected ?? 0) > 0;
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      // The user was deleted meanwhile: nothing of theirs is kept.
      await this.release(id, claimToken);
      return false;
    }
  }

  async release(id: string, claimToken: string): Promise<void> {
    await this.rows.delete({ id, claimToken });
  }
}

function toRow({ response, ...record }: IdempotencyRecord): IdempotencyKeyRow {
  return { ...record, ...(response === null ? { responseStatus: null, responseHeaders: null, responseBody: null } : responseColumns(response)) };
}

function responseColumns({ status, headers, body }: StoredResponse) {
  return { responseStatus: status, responseHeaders: JSON.stringify(headers), responseBody: body };
}

function toRecord({ responseStatus, responseHeaders, responseBody, userId: _userId, ...record }: IdempotencyKeyRow): IdempotencyRecord {
  const response =
    responseStatus === null
      ? null
      : { status: responseStatus, headers: JSON.parse(responseHeaders ?? '{}') as Record<string, string>, body: responseBody ?? '' };
  return { ...record, response };
}
