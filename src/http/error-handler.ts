import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ConflictError, InvalidReferenceError, NotFoundError } from '../domain/errors';
import { HttpProblem, sendProblem } from './problem';

/** The one place where errors become HTTP responses. */
export const errorHandler: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return next(error);
  const problem = toProblem(error);
  if (problem.status >= 500) req.log.error({ err: error }, 'request failed');
  sendProblem(res, problem);
};

export const notFoundHandler: RequestHandler = (req) => {
  throw new HttpProblem(404, `no route for ${req.method} ${req.path}`);
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
 * stack. Never the query, parameters or SQL text that drivers attach: those
 * carry emails and password hashes.
 */
export function errorForLog(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  return { type: error.name, code: code ?? driverError?.code, message: error.message.split('\n')[0], stack: error.stack };
}

function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof NotFoundError) return new HttpProblem(404, error.message);
  if (error instanceof ConflictError) {
    return new HttpProblem(409, error.message, [{ field: error.field, message: `${error.field} is already taken` }]);
  }
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
    case 'entity.too.large':
      return new HttpProblem(413, 'request body is larger than 1 MB');
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
