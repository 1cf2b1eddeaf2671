import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { uniqueKey } from '../domain/user';
import { HttpProblem } from './problem';

export interface RateLimit {
  /** Requests allowed in one window. */
  limit: number;
  windowMs: number;
}

/*
 * Counts live in this process's memory, so each instance of the service
 * limits on its own. Behind a proxy, `trust proxy` decides the client address.
 */

/**
 * Slows password guessing two ways: attempts from one address against any
 * accounts, and failed attempts from anywhere against one account.
 */
export function loginLimits(rule: RateLimit): RequestHandler[] {
  return [
    limiter(rule, 'login-address', 'too many login attempts from this address'),
    rateLimit({
      ...options(rule, 'login-email', 'too many failed logins for this email'),
      // Only a wrong password counts against an account: a malformed request
      // costs no hash, and must not let anyone lock someone else out cheaply.
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode !== 401,
      skip: (req) => loginEmail(req) === undefined,
      keyGenerator: (req) => uniqueKey(loginEmail(req) ?? ''),
    }),
  ];
}

/** Each sign-up costs a password hash, deliberately slow: bound how many one address can ask for. */
export function signUpLimit(rule: RateLimit): RequestHandler {
  return limiter(rule, 'sign-up-address', 'too many sign-ups from this address');
}

function limiter(rule: RateLimit, identifier: string, detail: string): RequestHandler {
  return rateLimit({ ...options(rule, identifier, detail), keyGenerator: (req) => ipKeyGenerator(req.ip ?? '') });
}

function options({ limit, windowMs }: RateLimit, identifier: string, detail: string) {
  return {
    windowMs,
    limit,
    identifier,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: () => {
      throw new HttpProblem(429, `${detail}; wait for the time in Retry-After`);
    },
  } as const;
}

function loginEmail(req: Request): string | undefined {
  const email: unknown = (req.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email : undefined;
}
