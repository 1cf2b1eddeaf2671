import { types } from 'node:util';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HashingBusyError } from '../auth/hash-slots';
import {
  ConflictError,
  InvalidReferenceError,
  NotAuthorError,
  NotFoundError,
  PreconditionFailedError,
  StoreTimeoutError,
  StoreUnavailableError,
} from '../domain/errors';
import { SelfFollowError } from '../domain/follows';
import { HttpProblem, sendProblem } from './problem';

/** How long a client is asked to wait before retrying while the store is unavailable. */
export const storeRetryAfterSeconds = 5;

/**
 * The one place where errors become HTTP responses. A failure's cause goes in
 * `res.err`: request-log.ts then writes it on the request's one log line, with
 * the request id.
 */
export const errorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) {
    res.err = error;
    return next(error);
  }
  const problem = toProblem(error);
  if (problem.status >= 500) res.err = error;
  sendProblem(res, problem);
};

export const notFoundHandler: RequestHandler = (req) => {
  // The whole path, also under a router mounted at a path of its own (/api).
  throw new HttpProblem(404, `no route for ${req.method} ${req.baseUrl}${req.path}`);
};

/** For a path that exists: the methods it does answer. */
export function methodNotAllowed(...allowed: string[]): RequestHandler {
  return (req) => {
    throw new HttpProblem(405, `${req.method} is not allowed here; use ${allowed.join(', ')}`, undefined, {
      Allow: allowed.join(', '),
    });
  };
}

/**
 * What the log keeps of an error: its kind, code, first message line and
 * stack frames; for an outage or a timeout, the same of its cause instead of a stack. Never
 * the query, parameters or SQL text that drivers attach (those carry emails
 * and password hashes), nor the lines of a message after its first.
 */
export function errorForLog(error: unknown): Record<string, unknown> {
  if (!isError(error)) return { message: String(error) };
  if (error instanceof StoreUnavailableError || error instanceof StoreTimeoutError) return { ...errorSummary(error), cause: errorSummary(error.cause) };
  return { ...errorSummary(error), stack: error.stack?.split('\n').filter((line) => /^\s+at /.test(line)).join('\n') };
}

function errorSummary(error: unknown): Record<string, unknown> {
  if (!isError(error)) return { message: String(error) };
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  // pg names its server errors `error`; their class says more.
  const type = error.name === 'error' ? error.constructor.name : error.name;
  return { type, code: code ?? driverError?.code, message: error.message.split('\n')[0] };
}

/**
 * Also true of errors made in another realm, where `instanceof Error` is not: Node's socket errors under
 * Jest, and better-sqlite3's SqliteError, whose class the native addon keeps from the first realm that
 * loaded it (an object made by a plain function, so not a native error either).
 */
function isError(error: unknown): error is Error {
  if (error instanceof Error || types.isNativeError(error)) return true;
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return typeof error === 'object' && typeof name === 'string' && typeof message === 'string';
}

/** The problem an error is answered with, on every surface. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof StoreUnavailableError) {
    return new HttpProblem(503, 'the store is unavailable; try again later', undefined, { 'Retry-After': String(storeRetryAfterSeconds) });
  }
  if (error instanceof StoreTimeoutError) {
    return new HttpProblem(503, 'the store took too long to answer; try again later', undefined, { 'Retry-After': String(storeRetryAfterSeconds) });
  }
  if (error instanceof HashingBusyError) {
    return new HttpProblem(503, 'the service is busy checking passwords; try again after the time in Retry-After', undefined, { 'Retry-After': '1' });
  }
  if (error instanceof NotFoundError) return new HttpProblem(404, error.message);
  if (error instanceof NotAuthorError) {
    return new HttpProblem(403, error.entity === 'comment' ? "only the comment's author or the post's author can delete a comment" : `only the author can change or delete a ${error.entity}`);
  }
  if (error instanceof PreconditionFailedError) {
    return new HttpProblem(412, `${error.message}: read it again for its current ETag`, [{ field: 'If-Match', message: error.message }]);
  }
  if (error instanceof ConflictError) {
    return new HttpProblem(409, error.message, [{ field: error.field, message: `${error.field} is already taken` }]);
  }
  if (error instanceof SelfFollowError) return new HttpProblem(422, error.message, [{ field: 'userId', message: 'a user cannot follow themselves' }]);
  if (error instanceof InvalidReferenceError) {
    return new HttpProblem(422, error.message, [{ field: error.field, message: error.message }]);
  }
  return bodyParserProblem(error) ?? clientProblem(error) ?? new HttpProblem(500, 'the server could not complete the request');
}

/** express.json() marks its errors with a `type`; their messages are safe, but ours are clearer. */
function bodyParserProblem(error: unknown): HttpProblem | null {
  switch ((error as { type?: unknown }).type) {
    case 'entity.parse.failed':
      return new HttpProblem(400, 'request body is not valid JSON');
    case 'entity.utf8.invalid':
      return new HttpProblem(400, 'request body is not valid UTF-8');
    case 'entity.too.large':
      return new HttpProblem(413, 'request body is too large');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpProblem(415, 'request body must be UTF-8 JSON, optionally gzip or deflate compressed');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpProblem(400, 'request body could not be read');
    default:
      return null;
  }
}

/** Any other error that Express or its parsers mark as the client's (a 4xx `status`); its message stays in the log. */
function clientProblem(error: unknown): HttpProblem | null {
  const { status } = error as { status?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  if (error instanceof URIError) return new HttpProblem(status, 'request path is not valid percent-encoding');
  return new HttpProblem(status, 'the request could not be read');
}
