import { MongoNetworkError, MongoOperationTimeoutError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { isNetworkError } from '../network-errors';

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/**
 * Server codes for a server that cannot serve now: shutting down, stepping down, recovering, or unreachable
 * from a mongos (the driver's own list of retryable codes, less time limits).
 */
const unavailableCodes = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * The server cannot be used right now: no server found in time, a network error or timeout, a connection
 * pool cleared after one (MongoPoolClearedError is a MongoNetworkError), or a server shutting down. The
 * driver also lets a socket's own error (`write ECONNRESET`) through unwrapped.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (error instanceof MongoServerError) return unavailableCodes.has(Number(error.code));
  return isNetworkError(error) || (error instanceof Error && error.name === 'MongoWaitQueueTimeoutError');
}

/** The server ended an operation past its maxTimeMS (MaxTimeMSExpired, 50), or the driver gave up on it. */
export function isStoreTimeout(error: unknown): boolean {
  return (error instanceof MongoServerError && error.code === 50) || error instanceof MongoOperationTimeoutError;
}
