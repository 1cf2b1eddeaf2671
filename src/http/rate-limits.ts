import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import { uniqueKey } from '../domain/user';
import { callerOf } from './authenticate';
import { passwordCheckLimit } from './password-checks';
import { HttpProblem } from './problem';

export interface RateLimit {
  /** Requests allowed in one window. */
  limit: number;
  windowMs: number;
  /** Where the counts live; without it, in this process's memory, so each instance of the service limits on its own. */
  counters?: RateLimitCounters;
}

/** A new counter store for each limiter, named by its identifier, for limiters whose counts several instances share. */
export type RateLimitCounters = (identifier: string) => Store;

export interface LoginLimit extends RateLimit {
  /** Failed logins allowed for one email from all addresses together; `limit` counts per address. */
  emailLimit: number;
}

/** Every limit of the API, each counting on its own. */
export interface RateLimits {
  login: LoginLimit;
  signUp: RateLimit;
  /** Searches, totals and deep offsets, per client address. */
  expensiveRead: RateLimit;
  /** Writes of posts, users, comments, follows and favorites, and password changes, per signed-in user. */
  write: RateLimit;
}

/** The middleware of each limit, for the routes to place in their chains. */
export interface RateLimiters {
  /** Before the body is read. */
  loginByAddress: RequestHandler;
  /** After the body is read: it counts by the body's email. */
  failedLoginsByEmail: RequestHandler;
  signUp: RequestHandler;
  /** On every list: it counts only the requests isExpensiveRead names. */
  expensiveRead: RequestHandler;
  /** On the Conduit API's lists, which count every page from indexes: it counts only a deep `offset`. */
  deepOffset: RequestHandler;
  /** After authenticate(): it counts by the caller. */
  write: RequestHandler;
  /** Checks of the caller's current password, right or wrong, per account: as many as logins from one address. */
  passwordCheck: RequestHandler;
}

export function rateLimiters(limits: RateLimits): RateLimiters {
  const [loginByAddress, failedLoginsByEmail] = loginLimits(limits.login);
  return {
    loginByAddress,
    failedLoginsByEmail,
    signUp: signUpLimit(limits.signUp),
    expensiveRead: expensiveReadLimit(limits.expensiveRead),
    deepOffset: deepOffsetLimit(limits.expensiveRead),
    write: writeLimit(limits.write),
    passwordCheck: passwordCheckLimit(limits.login),
  };
}

/** A `skip` from here on is a deep offset: each skipped record is read and dropped. */
export const deepSkip = 1_000;

/**
 * A list request whose cost grows with the data rather than with its page: a search (`q`), a total
 * (`count=true`) or a deep offset (`skip` of deepSkip or more). Judged on the raw query, before it is
 * checked, so that a malformed one counts too.
 */
export function isExpensiveRead(req: Request): boolean {
  const { q, count, skip } = req.query as Record<string, string | string[] | undefined>;
  const values = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());
  return q !== undefined || values(count).includes('true') || values(skip).some((value) => Number(value) >= deepSkip);
}

/**
 * Counted per client address, with a token or without: the lists are public, checking a token would cost a
 * store read, and counting per account would let one address multiply its allowance with accounts.
 */
export function expensiveReadLimit(rule: RateLimit): RequestHandler {
  return rateLimit({
    ...options(rule, 'expensive-read-address', 'too many searches, totals or deep skips from this address'),
    skip: (req) => !isExpensiveRead(req),
    keyGenerator: address,
  });
}

/** The Conduit API's `offset` of deepSkip or more, per client address, under the native API's expensive-read limit. */
export function deepOffsetLimit(rule: RateLimit): RequestHandler {
  return rateLimit({
    ...options(rule, 'deep-offset-address', 'too many deep offsets from this address'),
    skip: (req) => {
      const { offset } = req.query as Record<string, string | string[] | undefined>;
      return ![offset ?? []].flat().some((value) => Number(value) >= deepSkip);
    },
    keyGenerator: address,
  });
}

/** Every write a user sends counts, whatever its answer: what it costs the store is spent either way. */
export function writeLimit(rule: RateLimit): RequestHandler {
  return rateLimit({
    ...options(rule, 'write-user', 'too many writes by this user'),
    keyGenerator: (_req, res) => callerOf(res).user.id,
  });
}

/**
 * Slows password guessing without handing anyone a cheap way to lock an
 * account out. Counted in each window:
 * - every attempt from one address, against any accounts (`limit`): this
 *   bounds guesses at one account from one address too, and locks out only
 *   that address;
 * - failed attempts for one email from all addresses (`emailLimit`, much
 *   higher): bounds guessing spread over many addresses. Reaching it locks
 *   the owner out too, but takes that many failures from many addresses.
 * A success resets no count: the address limit counts it as well.
 */
export function loginLimits({ limit, emailLimit, windowMs, counters }: LoginLimit): [byAddress: RequestHandler, byEmail: RequestHandler] {
  return [
    // First, so that a request it refuses is not counted against the email.
    limiter({ limit, windowMs, counters }, 'login-address', 'too many login attempts from this address'),
    failedLoginLimiter({ limit: emailLimit, windowMs, counters }, 'login-email', 'too many failed logins for this email', emailKey),
  ];
}

/** Each sign-up costs a password hash, deliberately slow: bound how many one address can ask for. */
export function signUpLimit(rule: RateLimit): RequestHandler {
  return limiter(rule, 'sign-up-address', 'too many sign-ups from this address');
}

function limiter(rule: RateLimit, identifier: string, detail: string): RequestHandler {
  return rateLimit({ ...options(rule, identifier, detail), keyGenerator: address });
}

function failedLoginLimiter(rule: RateLimit, identifier: string, detail: string, keyGenerator: (req: Request) => string): RequestHandler {
  return rateLimit({
    ...options(rule, identifier, detail),
    // Only a wrong email or password counts: a malformed request costs no
    // hash, and must not let anyone lock someone else out cheaply.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    skip: (req) => loginEmail(req) === undefined,
    keyGenerator,
  });
}

/** The client's address (behind a proxy, `trust proxy` decides it); IPv6 clients are counted by their /56 network: one site may hold many addresses. */
function address(req: Request): string {
  return ipKeyGenerator(req.ip ?? '');
}

/** Fixed-size, whatever the body holds: a long email in a malformed request must not make a long entry. */
function emailKey(req: Request): string {
  return createHash('sha256').update(uniqueKey(loginEmail(req) ?? '')).digest('base64url');
}

function options({ limit, windowMs, counters }: RateLimit, identifier: string, detail: string) {
  return {
    windowMs,
    limit,
    identifier,
    store: counters?.(identifier),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: () => {
      throw new HttpProblem(429, `${detail}; wait for the time in Retry-After`);
    },
  } as const;
}

/** The email of a login body: `{"email": …}`, or `{"user": {"email": …}}` on the Conduit API. */
function loginEmail(req: Request): string | undefined {
  const body = req.body as { email?: unknown; user?: { email?: unknown } } | undefined;
  const email: unknown = body?.email ?? body?.user?.email;
  return typeof email === 'string' ? email : undefined;
}
