import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { uniqueKey } from '../domain/user';
import { HttpProblem } from './problem';

export interface LoginLimit {
  /** Attempts per client address, and failed attempts per email, within one window. */
  limit: number;
  windowMs: number;
}

/**
 * Slows password guessing two ways: from one address against any accounts,
 * and from anywhere against one account. Counts live in this process's memory,
 * so each instance of the service limits on its own.
 */
export function loginLimits({ limit, windowMs }: LoginLimit): RequestHandler[] {
  const common = {
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: () => {
      throw new HttpProblem(429, 'too many login attempts; wait for the time in Retry-After');
    },
  } as const;
  return [
    rateLimit({ ...common, identifier: 'login-address', keyGenerator: (req) => ipKeyGenerator(req.ip ?? '') }),
    rateLimit({
      ...common,
      identifier: 'login-email',
      skipSuccessfulRequests: true,
      skip: (req) => loginEmail(req) === undefined,
      keyGenerator: (req) => uniqueKey(loginEmail(req) ?? ''),
    }),
  ];
}

function loginEmail(req: Request): string | undefined {
  const email: unknown = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email : undefined;
}
