import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem. Every client error is one of these; `type` is
 * `about:blank`, so `title` is the status phrase and `detail` says what was wrong.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function sendProblem(res: Response, problem: HttpProblem): void {
  res.status(problem.status).set(problem.headers).type('application/problem+json').send(problemDocument(problem));
}

/** The JSON text of a problem; also written by server.ts, where there is no Express response. */
export function problemDocument({ status, detail, errors }: Pick<HttpProblem, 'status' | 'detail' | 'errors'>): string {
  return JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status], status, detail, ...(errors && { errors }) });
}
