import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { HttpProblem } from './problem';
import { fieldName } from './validation';

export interface BodyLimit {
  bytes: number;
  /** How the 413 says it. */
  words: string;
}

/** Logins, password changes and account deletions: a few short fields, at most about 6 KB even with every character escaped (two passwords). */
export const accountBodyLimit: BodyLimit = { bytes: 16 * 1024, words: '16 KB' };
/** Sign-ups and profile changes: with a bio and an image URL, at most about 30 KB with every character escaped. */
export const profileBodyLimit: BodyLimit = { bytes: 64 * 1024, words: '64 KB' };
/** Comments: a content of 10,000 characters, at most about 120 KB with every character escaped. */
export const commentBodyLimit: BodyLimit = { bytes: 128 * 1024, words: '128 KB' };
/** Posts: a content of 100,000 characters. */
export const postBodyLimit: BodyLimit = { bytes: 1024 * 1024, words: '1 MB' };

/** Deeper than any body here needs (a post's `tags` list inside the body is 2). */
export const maxBodyDepth = 8;
/** Far more fields than any body here has (a sign-up has 6): parsing an object of 60,000 keys holds the thread for a tenth of a second or more. */
export const maxBodyFields = 100;

/**
 * A route's JSON body, read only once the route has accepted the request (its authentication and rate limits
 * come first): `application/json`, UTF-8 only (RFC 8259 §8.1), at most `limit` once decompressed, nested at
 * most `maxBodyDepth` deep, with at most `maxBodyFields` fields. A leading byte order mark is ignored, as
 * RFC 8259 allows.
 */
export function jsonBody(limit: BodyLimit): RequestHandler {
  const parse = express.json({ limit: limit.bytes, type: 'application/json', verify: checkBytes });
  return (req, res, next) => {
    // `+json` types are refused too: the API speaks plain JSON only. No body at all is null, and refused alike.
    if (req.is('application/json') !== 'application/json') throw new HttpProblem(415, 'request body must be application/json');
    // Refused before a byte is read; a compressed body is held to the limit as it inflates.
    const declared = Number(req.headers['content-length']);
    if (req.headers['content-encoding'] === undefined && declared > limit.bytes) throw tooLarge(limit);
    parse(req, res, (error?: unknown) => next((error as { type?: unknown } | undefined)?.type === 'entity.too.large' ? tooLarge(limit) : error));
  };
}

function tooLarge(limit: BodyLimit): HttpProblem {
  return new HttpProblem(413, `request body is larger than ${limit.words}`);
}

/**
 * Left alone, body-parser decodes any `utf-*` charset and turns invalid bytes into U+FFFD, which would be
 * stored as if the client had sent it. `body` is the raw (decompressed) bytes, checked before JSON.parse;
 * the errors' `status` and `type` survive body-parser and are mapped in error-handler.ts.
 */
function checkBytes(_req: unknown, _res: unknown, body: Buffer, charset: string): void {
  if (charset !== 'utf-8') {
    throw Object.assign(new Error(`unsupported charset ${charset}`), { status: 415, type: 'charset.unsupported' });
  }
  if (!isUtf8(body)) throw Object.assign(new Error('invalid UTF-8'), { status: 400, type: 'entity.utf8.invalid' });
  const shape = shapeProblem(body);
  if (shape !== undefined) throw shape;
}

const quote = 0x22;
const backslash = 0x5c;
const colon = 0x3a;

/**
 * Whether the JSON in `body` nests deeper than maxBodyDepth (naming the top-level field that does) or has more
 * than maxBodyFields top-level fields: one pass over the bytes, stopping at the first excess, so that no parser
 * ever builds such a value. A malformed body is left to JSON.parse.
 */
function shapeProblem(body: Buffer): HttpProblem | undefined {
  let fields = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = 0;
  /** The last string at the top level of the body: in an object, the key of the value that follows it. */
  let lastTopString: [number, number] | undefined;
  let field: [number, number] | undefined;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === backslash) escaped = true;
      else if (byte === quote) {
        inString = false;
        if (depth === 1) lastTopString = [stringStart, i + 1];
      }
    } else if (byte === quote) {
      inString = true;
      stringStart = i;
    } else if (byte === 0x5b || byte === 0x7b) {
      if (depth === 1) field = lastTopString;
      if (++depth > maxBodyDepth) return tooDeep(field && keyOf(body, field));
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--;
    } else if (byte === colon && depth === 1 && ++fields > maxBodyFields) {
      return new HttpProblem(400, `request body has more than ${maxBodyFields} fields`);
    }
  }
  return undefined;
}

function tooDeep(field: string | undefined): HttpProblem {
  if (field === undefined) return new HttpProblem(400, `request body is nested deeper than ${maxBodyDepth} levels`);
  const message = `${field} is nested deeper than ${maxBodyDepth} levels`;
  return new HttpProblem(400, `request body is invalid: ${message}`, [{ field, message }]);
}

function keyOf(body: Buffer, [start, end]: [number, number]): string | undefined {
  try {
    return fieldName(JSON.parse(body.subarray(start, end).toString()) as string);
  } catch {
    return undefined;
  }
}

/** Up to this much of a body that no route reads is read and dropped, so that its connection serves the next request. */
export const drainedBodyBytes = 64 * 1024;

/**
 * A body no route reads (an unknown path, a 405, a request refused before its body, such as a 401 or a 413)
 * is never parsed. Node reads it off the connection after the answer; one over `drainedBodyBytes`, or of
 * unknown length, is not worth reading: its answer closes the connection instead.
 */
export const closeAfterUnreadBody: RequestHandler = (req, res, next) => {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > drainedBodyBytes)) {
    const writeHead = res.writeHead;
    res.writeHead = ((...args: unknown[]) => {
      if (!req.complete) res.setHeader('Connection', 'close');
      return writeHead.apply(res, args as Parameters<typeof writeHead>);
    }) as typeof res.writeHead;
  }
  next();
};
