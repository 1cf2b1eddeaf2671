import type { IdempotencyRecord, StoredResponse } from '../../domain/idempotency';
import type { IdempotencyKeyRepository } from '../../domain/repositories';
import type { Collections, IdempotencyKeyDocument } from './collections';
import { isDuplicateKey } from './mongo-errors';
import { parseObjectId } from './mongo-id';

/*
 * The insert on `_id` is the lock, which FerretDB 1.24 keeps. Its deletes and
 * updates, though, read and then write by `_id` outside one transaction
 * (FerretDB issue #3040): when a key expires while two requests race to take
 * it afresh, one may remove or overwrite the other's new claim. Real MongoDB
 * applies each of these single-document operations atomically.
 */
export class MongoIdempotencyKeyRepository implements IdempotencyKeyRepository {
  constructor(private readonly collections: Collections) {}

  async claim({ id, response, ...rest }: IdempotencyRecord, now: Date): Promise<boolean> {
    const keys = this.collections.idempotencyKeys;
    await keys.deleteMany({ expiresAt: { $lte: now } });
    try {
      await keys.insertOne({ _id: id, ...rest, response });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async find(id: string, now: Date): Promise<IdempotencyRecord | null> {
    const document = await this.collections.idempotencyKeys.findOne({ _id: id, expiresAt: { $gt: now } });
    return document === null ? null : toRecord(document);
  }

  async complete(id: string, claimToken: string, response: StoredResponse, expiresAt: Date, userId?: string): Promise<boolean> {
    const owner = userId === undefined ? null : parseObjectId(userId);
    const result = await this.collections.idempotencyKeys.updateOne(
      { _id: id, claimToken, response: null },
      { $set: { response, expiresAt, ...(owner !== null && { userId: owner }) } },
    );
    if (result.matchedCount === 0) return false;
    // No foreign key: a user deleted before this write did not see it, so it is taken back here.
    if (owner !== null && (await this.collections.users.findOne({ _id: owner }, { projection: { _id: 1 } })) === null) {
      await this.release(id, claimToken);
      return false;
    }
    return true;
  }

  async release(id: string, claimToken: string): Promise<void> {
    await this.collections.idempotencyKeys.deleteOne({ _id: id, claimToken });
  }
}

function toRecord({ _id, fingerprint, claimToken, response, expiresAt }: IdempotencyKeyDocument): IdempotencyRecord {
  return { id: _id, fingerprint, claimToken, response, expiresAt };
}
