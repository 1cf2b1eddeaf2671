import type { RequestHandler, Response } from 'express';
import type { Accounts, Caller } from '../auth/accounts';
import { HttpProblem } from './problem';

/** RFC 6750: a 401 says how to authenticate, and why the token given was refused. */
export function unauthorized(detail: string, error?: 'invalid_request' | 'invalid_token'): HttpProblem {
  const challenge = `Bearer realm="dualstore"${error ? `, error="${error}"` : ''}`;
  return new HttpProblem(401, detail, undefined, { 'WWW-Authenticate': challenge });
}

/** Lets the request through only with a live bearer token; the caller is then `callerOf(res)`. */
export function authenticate(accounts: Accounts): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('Authorization');
    if (header === undefined) throw unauthorized('this request needs an Authorization: Bearer token');
    res.locals.caller = await callerFor(accounts, header);
    next();
  };
}

/**
 * For reads whose answer depends on who asks (`following` in user views): without Authorization the
 * request goes on anonymous, and the store is not asked; with it, the token is checked as by
 * authenticate(), and a bad one is the same 401. Either way the answer varies by Authorization.
 */
export function identify(accounts: Accounts): RequestHandler {
  return async (req, res, next) => {
    res.vary('Authorization');
    const header = req.get('Authorization');
    if (header !== undefined) res.locals.caller = await callerFor(accounts, header);
    next();
  };
}

/**
 * The token of an Authorization header: `Bearer <token>` (RFC 6750), or `Token <token>`, the scheme of the
 * Conduit API and its clients. Undefined for any other form.
 */
export function tokenOf(header: string): string | undefined {
  return /^(?:Bearer|Token) +(\S+) *$/i.exec(header)?.[1];
}

async function callerFor(accounts: Accounts, header: string): Promise<Caller> {
  const token = tokenOf(header);
  if (token === undefined) throw unauthorized('Authorization must be "Bearer <token>" (or "Token <token>")', 'invalid_request');
  const caller = await accounts.authenticate(token);
  if (caller === null) throw unauthorized('the token is unknown, expired or revoked', 'invalid_token');
  return caller;
}

/** The caller, when the request was signed in (see identify). */
export function callerIfAny(res: Response): Caller | undefined {
  return res.locals.caller as Caller | undefined;
}

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (caller === undefined) throw new Error('authenticate() must run before callerOf()');
  return caller;
}
