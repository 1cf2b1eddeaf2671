import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request, RequestHandler, Response } from 'express';
import type { StoredResponse } from '../domain/idempotency';
import type { IdempotencyKeyRepository } from '../domain/repositories';
import { HttpProblem } from './problem';
import { logOf } from './request-log';

export interface IdempotencyOptions {
  /** How long a key answers its retries with the first response. */
  retentionMs: number;
  /** How long a pending key stays held, so that a process that died mid-request frees it. */
  leaseMs: number;
  /** How long a retry waits for the first request with its key to finish before a 409. */
  waitMs: number;
  /** How often a waiting retry looks again. */
  pollMs: number;
  /** The clock that expires keys and leases; tests move it. */
  now: () => Date;
}

export const idempotencyDefaults: IdempotencyOptions = {
  retentionMs: 24 * 60 * 60 * 1000,
  leaseMs: 30_000,
  waitMs: 5_000,
  pollMs: 50,
  now: () => new Date(),
};

export interface IdempotentRoute {
  /** Method and path; part of the fingerprint, and the scope of anonymous keys. */
  route: string;
  /** Whose keys these are (a key used by one caller never answers another); the route when anonymous. */
  scope?: (res: Response) => string;
  /** Body fields left out of the fingerprint and of everything kept: the sign-up password. */
  unkeptFields?: readonly string[];
  /** Whose the kept answer is, once the create ran: deleting that user deletes it. */
  owner?: (res: Response) => string | undefined;
  /** The field whose object is the body's content (`{"article": {…}}` on the Conduit API); the body itself when absent. */
  wrapper?: string;
}

/** A create route's own handler: it answers with `res.json` (or `res.send`) or throws. */
type Create = (req: Request, res: Response) => Promise<void>;

/** The headers a replay repeats as first sent; the body is repeated byte for byte. */
const replayedHeaders = ['content-type', 'location', 'etag'];

/** 1 to 255 printable ASCII characters, as Node leaves the value (surrounding spaces trimmed). */
export const idempotencyKeyPattern = /^[\x20-\x7e]{1,255}$/;

/**
 * Creates that a client may retry safely with `Idempotency-Key`: the first
 * request with a key runs, and every retry with the same key and body answers
 * its response again instead of creating another resource.
 */
export class IdempotentCreates {
  private readonly options: IdempotencyOptions;

  constructor(
    private readonly keys: IdempotencyKeyRepository,
    options: Partial<IdempotencyOptions> = {},
  ) {
    this.options = { ...idempotencyDefaults, ...options };
  }

  handler(route: IdempotentRoute, create: Create): RequestHandler {
    return async (req, res) => {
      const key = idempotencyKeyOf(req);
      const body = flatObject(route.wrapper === undefined ? req.body : wrapped(req.body, route.wrapper));
      // Every create body is a JSON object of single values and flat lists (a post's tags): any other is
      // refused by `create` with a 400 and creates nothing.
      if (key === undefined || body === null) return create(req, res);

      const id = idempotencyKeyId(route.scope?.(res) ?? route.route, key);
      const fingerprint = requestFingerprint(route.route, body, route.unkeptFields);
      const waitUntil = Date.now() + this.options.waitMs;
      for (;;) {
        const now = this.options.now();
        const claimToken = randomUUID();
        const claim = { id, fingerprint, claimToken, response: null, expiresAt: later(now, this.options.leaseMs) };
        if (await this.keys.claim(claim, now)) return this.run(req, res, create, id, claimToken, route.owner);

        const held = await this.keys.find(id, now);
        if (held !== null && held.fingerprint !== fingerprint) {
          throw keyProblem(422, 'Idempotency-Key was already used with another request body; use a new key for a new request');
        }
        if (held?.response) return replay(res, held.response);
        if (Date.now() >= waitUntil) {
          throw keyProblem(409, 'a request with this Idempotency-Key is still in progress; retry after the time in Retry-After', {
            'Retry-After': '1',
          });
        }
        // Pending: wait for its response. Gone (released or expired meanwhile): claim it at once.
        if (held !== null) await sleep(this.options.pollMs);
      }
    };
  }

  /** Runs the create under a claimed key, and keeps its response before sending it. */
  private async run(req: Request, res: Response, create: Create, id: string, claimToken: string, owner: IdempotentRoute['owner']): Promise<void> {
    const captured = captureSend(res);
    try {
      await create(req, res);
    } catch (error) {
      captured.restore();
      // A client error is released rather than replayed (Stripe replays it): no 4xx here creates
      // anything, so running a corrected request under the same key cannot duplicate a resource,
      // and a client that fixes its body need not mint a new key. A 5xx is released so the retry runs.
      await this.release(res, id, claimToken);
      throw error;
    }
    const response = captured.restore();
    if (response !== null && response.status < 400) await this.keep(res, id, claimToken, response, owner?.(res));
    else await this.release(res, id, claimToken);
    captured.send();
  }

  private async keep(res: Response, id: string, claimToken: string, response: StoredResponse, userId: string | undefined): Promise<void> {
    try {
      const kept = await this.keys.complete(id, claimToken, response, later(this.options.now(), this.options.retentionMs), userId);
      if (!kept) logOf(res).warn('the lease on an Idempotency-Key ran out before its request finished; its response is not kept');
    } catch (error) {
      // The resource exists: answer it all the same. The key stays pending until its lease ends.
      logOf(res).error({ err: error }, 'the response to an Idempotency-Key could not be kept');
    }
  }

  private async release(res: Response, id: string, claimToken: string): Promise<void> {
    try {
      await this.keys.release(id, claimToken);
    } catch (error) {
      logOf(res).error({ err: error }, 'an Idempotency-Key could not be released; it frees itself when its lease ends');
    }
  }
}

/** The key id kept in the store: the client's key never is, only this hash of it and its scope. */
export function idempotencyKeyId(scope: string, key: string): string {
  return sha256(JSON.stringify([scope, key]));
}

function idempotencyKeyOf(req: Request): string | undefined {
  const values = req.headersDistinct['idempotency-key'];
  if (values === undefined) return undefined;
  if (values.length !== 1 || !idempotencyKeyPattern.test(values[0])) {
    throw keyProblem(400, 'Idempotency-Key must be one header of 1 to 255 printable ASCII characters');
  }
  return values[0];
}

function keyProblem(status: number, detail: string, headers?: Record<string, string>): HttpProblem {
  return new HttpProblem(status, detail, [{ field: 'Idempotency-Key', message: detail }], headers);
}

/** Method, route and the body as canonical JSON (keys sorted), without the unkept fields. */
function requestFingerprint(route: string, body: Record<string, unknown>, unkept: readonly string[] = []): string {
  const fields = Object.keys(body)
    .filter((field) => !unkept.includes(field))
    .sort()
    .map((field) => `${JSON.stringify(field)}:${JSON.stringify(body[field])}`);
  return sha256(`${route}\n{${fields.join(',')}}`);
}

function wrapped(body: unknown, wrapper: string): unknown {
  return typeof body === 'object' && body !== null && Object.keys(body).length === 1 ? (body as Record<string, unknown>)[wrapper] : undefined;
}

function flatObject(body: unknown): Record<string, unknown> | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const single = (value: unknown) => typeof value !== 'object' || value === null;
  const flat = Object.values(body).every((value) => single(value) || (Array.isArray(value) && value.every(single)));
  return flat ? (body as Record<string, unknown>) : null;
}

function replay(res: Response, { status, headers, body }: StoredResponse): void {
  res.status(status).set(headers).set('Idempotent-Replayed', 'true').send(body);
}

/**
 * Holds back what the create sends, so that it is kept before the client sees
 * it: a client that retries at once then finds the response, not a pending key.
 */
function captureSend(res: Response) {
  const send = res.send;
  let body: unknown;
  let sent = false;
  res.send = function (this: Response, chunk?: unknown) {
    body = chunk;
    sent = true;
    return this;
  };
  return {
    restore(): StoredResponse | null {
      res.send = send;
      if (!sent || typeof body !== 'string') return null;
      const headers: Record<string, string> = {};
      for (const name of replayedHeaders) {
        const value = res.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      return { status: res.statusCode, headers, body };
    },
    send(): void {
      if (sent) res.send(body);
    },
  };
}

function later(time: Date, ms: number): Date {
  return new Date(time.getTime() + ms);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
