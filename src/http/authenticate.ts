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
    const token = /^Bearer +(\S+) *$/i.exec(header)?.[1];
    if (token === undefined) throw unauthorized('Authorization must be "Bearer <token>"', 'invalid_request');
    const caller = await accounts.authenticate(token);
    if (caller === null) throw unauthorized('the token is unknown, expired or revoked', 'invalid_token');
    res.locals.caller = caller;
    next();
  };
}

export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (caller === undefined) throw new Error('authenticate() must run before callerOf()');
  return caller;
}
