import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Accounts } from '../auth/accounts';
import { callerOf } from './authenticate';
import { HttpProblem } from './problem';
import type { RateLimit } from './rate-limits';

/**
 * Every check of a current password (a change of email or of password,
 * deleting the account) counts against the caller's account, right or wrong:
 * `limit` in each window. A stolen token then guesses the password no faster
 * than logins from one address, and cannot keep the password hashes busy.
 */
export function passwordCheckLimit({ limit, windowMs, counters }: RateLimit): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    identifier: 'password-check',
    store: counters?.('password-check'),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req, res) => callerOf(res).user.id,
    handler: () => {
      throw new HttpProblem(429, 'too many password checks for this account; wait for the time in Retry-After');
    },
  });
}

/** A 403 naming the field, when `password` is not the caller's; counted first by `limit`. */
export async function requireOwnPassword(accounts: Accounts, limit: RequestHandler, req: Request, res: Response, password: string): Promise<void> {
  await runMiddleware(limit, req, res);
  if (!(await accounts.isOwnPassword(callerOf(res), password))) throw wrongPassword();
}

export function wrongPassword(): HttpProblem {
  const message = 'currentPassword is not the password of this account';
  return new HttpProblem(403, message, [{ field: 'currentPassword', message }]);
}

/** Runs a middleware from inside a route, once the body shows that it applies. */
export function runMiddleware(handler: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void handler(req, res, (error?: unknown) => (error === undefined || error === null ? resolve() : reject(error)));
  });
}
