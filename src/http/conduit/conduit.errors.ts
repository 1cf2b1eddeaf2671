import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import { ConflictError, NotAuthorError } from '../../domain/errors';
import { toProblem } from '../error-handler';
import { type FieldError, HttpProblem } from '../problem';

/** The Conduit names of the native API's fields, where they differ. */
const conduitFields: Record<string, string> = { content: 'body', tags: 'tagList', userId: 'username' };

/**
 * Errors as Conduit clients read them: a problem document (as every error of this service is) whose
 * `errors` is the Conduit object, `{"<field>": ["<message>"]}`, or `{"body": [<detail>]}` when no field is
 * to blame. What a client sent wrong is a 422, as the Conduit API has it: a bad body or query (400 on the
 * native API), a taken email or username (409), a wrong current password (403). The 409 of a request whose
 * Idempotency-Key is still in progress stays a 409: it is retried, not corrected.
 */
export const conduitErrorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) {
    res.err = error;
    return next(error);
  }
  const problem = conduitProblem(error);
  if (problem.status >= 500) res.err = error;
  const status = isClientMistake(error, problem) ? 422 : problem.status;
  const body = { type: 'about:blank', title: STATUS_CODES[status], status, detail: problem.detail, errors: conduitErrors(problem) };
  res.status(status).set(problem.headers).type('application/problem+json').send(JSON.stringify(body));
};

/** Only a comment's author deletes it here (the native API lets the post's author too): the 403 says so. */
function conduitProblem(error: unknown): HttpProblem {
  if (error instanceof NotAuthorError && error.entity === 'comment') return new HttpProblem(403, "only the comment's author can delete a comment");
  return toProblem(error);
}

/** Not a 409 of a request with an Idempotency-Key still in progress: that one is retried, not corrected. */
function isClientMistake(error: unknown, { status, errors }: HttpProblem): boolean {
  return status === 400 || error instanceof ConflictError || (status === 403 && errors?.some(({ field }) => field === 'currentPassword') === true);
}

function conduitErrors({ detail, errors }: HttpProblem): Record<string, string[]> {
  if (errors === undefined || errors.length === 0) return { body: [detail] };
  const grouped: Record<string, string[]> = {};
  for (const error of errors) {
    const field = conduitFields[error.field] ?? error.field;
    (grouped[field] ??= []).push(conduitMessage(error, field));
  }
  return grouped;
}

/** Conduit frontends show `<field> <message>`: the message leaves out the field it starts with. */
function conduitMessage({ field, message }: FieldError, conduitField: string): string {
  if (message.startsWith(`${field} `)) return message.slice(field.length + 1);
  return message.startsWith(field) ? conduitField + message.slice(field.length) : message;
}
