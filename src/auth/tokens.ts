import { createHash, randomBytes } from 'node:crypto';

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** 256 random bits, URL-safe: the bearer token a client holds. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps instead of the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function isWellFormedToken(token: string): boolean {
  return tokenPattern.test(token);
}
