import type { User } from './user';

/**
 * A signed-in client. The bearer token itself is never stored: only its
 * SHA-256 hash, so a copy of the store does not hold usable tokens.
 */
export interface Session {
  tokenHash: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A live or expired session with the user it signs in, read together. */
export interface SignedIn {
  session: Session;
  user: User;
}
