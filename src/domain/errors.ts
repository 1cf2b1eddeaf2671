/** What a domain error is about: a record, or a copy between stores (TransferRepository). */
export type Entity = 'user' | 'post' | 'comment' | 'copy';

export abstract class DomainError extends Error {
  override name = this.constructor.name;
}

export class NotFoundError extends DomainError {
  constructor(
    readonly entity: Entity,
    readonly id: string,
  ) {
    super(`${entity} ${id} not found`);
  }
}

/** A unique field already holds this value on another record. */
export class ConflictError extends DomainError {
  constructor(
    readonly entity: Entity,
    readonly field: string,
  ) {
    super(`${entity} ${field} is already taken`);
  }
}

/** A field names a record that does not exist. */
export class InvalidReferenceError extends DomainError {
  constructor(
    readonly field: string,
    readonly id: string,
  ) {
    super(`${field} ${id} does not name an existing record`);
  }
}

/**
 * A conditional write named versions the record no longer has: another
 * writer changed it first, and nothing was written.
 */
export class PreconditionFailedError extends DomainError {
  constructor(
    readonly entity: Entity,
    readonly id: string,
  ) {
    super(`${entity} ${id} has changed since the version given`);
  }
}

/** A write named the author it may be made by, and the record has another: nothing was written. */
export class NotAuthorError extends DomainError {
  constructor(
    readonly entity: Entity,
    readonly id: string,
  ) {
    super(`${entity} ${id} belongs to another author`);
  }
}

/**
 * The store cannot be reached or used right now (down, unreachable, out of
 * connections, locked); the same request may succeed later. The driver's
 * error is the cause, for the log only.
 */
export class StoreUnavailableError extends DomainError {
  constructor(cause: unknown) {
    super('the store is unavailable', { cause });
  }
}

/**
 * The store did not finish a statement within the statement budget (it ran too long, or waited too long for
 * a lock another writer held), and ended it: nothing of it was kept. The same request may succeed later.
 * The driver's error is the cause, for the log only.
 */
export class StoreTimeoutError extends DomainError {
  constructor(cause: unknown) {
    super('the store took too long', { cause });
  }
}
