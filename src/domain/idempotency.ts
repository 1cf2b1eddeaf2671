/** A response as first sent, kept so that a retry gets it again byte for byte. */
export interface StoredResponse {
  status: number;
  /** Lower-case names; only the headers that are replayed (Content-Type, Location, ETag). */
  headers: Record<string, string>;
  body: string;
}

/**
 * One use of an `Idempotency-Key`. The client's key is not kept: `id` is a
 * hash of the key and its scope (the caller or the route). Pending while its
 * first request runs, then complete with the response that request sent.
 */
export interface IdempotencyRecord {
  id: string;
  /** A hash of the request (method, route, body), so a reuse with another body is told apart. */
  fingerprint: string;
  /** Says which request holds a pending key: only that one may complete or release it. */
  claimToken: string;
  /** Null while pending. */
  response: StoredResponse | null;
  /** Pending: the end of the holder's lease. Complete: when the key may be used afresh. */
  expiresAt: Date;
}
