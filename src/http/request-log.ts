import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import { type Level, type Logger } from 'pino';
import { errorForLog } from './error-handler';
import { loggedOperations, operationsOf } from './persistence';

const requestIdPattern = /^[\w.:-]{1,128}$/;

interface RequestLog {
  logger: Logger;
  id: string;
  started: number;
}

const logs = new WeakMap<ServerResponse, RequestLog>();

/**
 * One log line per request, written when its response is done, with its
 * request id; the error handler leaves a failure's cause in `res.err`. Nothing
 * is built for a line the level leaves out: a quiet service pays a timestamp
 * and a listener per request, no serializing. The line is built here rather
 * than by pino's serializers and redaction, which cost as much again: the
 * request's fields with its credentials redacted, and of the response its
 * status and length.
 */
export function requestLog(serviceLogger: Logger): RequestHandler {
  // errorForLog chooses what is kept of an error, rather than pino's copy of all its fields.
  const logger = serviceLogger.child({}, { serializers: { err: errorForLog } });
  const newId = requestIds();
  return (req, res, next) => {
    // Keep a caller's request id when it is sane, so logs can be joined across services.
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && requestIdPattern.test(given) ? given : newId();
    res.setHeader('X-Request-Id', id);
    logs.set(res, { logger, id, started: performance.now() });
    res.once('close', () => writeLine(req, res));
    next();
  };
}

/** A logger for more lines about a request, each carrying its id. */
export function logOf(res: Response): Logger {
  const log = logs.get(res);
  if (log === undefined) throw new Error('requestLog() is not in front of this route');
  return log.logger.child({ req: { id: log.id } });
}

function writeLine(req: Request, res: Response): void {
  const { logger, id, started } = logs.get(res)!;
  const failed = res.err !== undefined || res.statusCode >= 500;
  const finished = res.writableFinished;
  const level: Level = failed ? 'error' : finished ? 'info' : 'warn';
  if (!logger.isLevelEnabled(level)) return;
  const line = {
    req: requestFields(req, id),
    res: { statusCode: res.statusCode, contentLength: res.getHeader('content-length') },
    ...(failed && { err: res.err ?? new Error(`failed with status code ${res.statusCode}`) }),
    responseTime: Math.round(performance.now() - started),
    ...(logger.isLevelEnabled('debug') && storeOperationsOf(res)),
  };
  logger[level](line, failed ? 'request errored' : finished ? 'request completed' : 'request aborted: the connection closed before the response was sent');
}

/** At debug level, the store operations the request sent, when they are recorded: their text holds placeholders only. */
function storeOperationsOf(res: Response): { storeOperations: { op: string; ms: number }[] } | undefined {
  const operations = operationsOf(res);
  return operations && { storeOperations: loggedOperations(operations) };
}

/** What the line keeps of a request: its id, method, URL, peer and headers, those that carry credentials redacted. */
function requestFields(req: Request, id: string): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = name === 'authorization' || name === 'cookie' ? '[Redacted]' : value;
  return { id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress, remotePort: req.socket.remotePort, headers };
}

/**
 * Ids in the form of a UUID, unique across processes without a random draw
 * per request: a random prefix per process, then a counter.
 */
function requestIds(): () => string {
  const prefix = randomUUID().slice(0, 24);
  let next = 0;
  return () => prefix + (next++ % 2 ** 48).toString(16).padStart(12, '0');
}

declare module 'node:http' {
  interface ServerResponse {
    /** Why the response is a failure, for its log line: set by the error handler. */
    err?: unknown;
  }
}
