import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';

/**
 * JSON request bodies: UTF-8 only (RFC 8259 §8.1), at most 1 MB, optionally
 * compressed. A leading byte order mark is ignored, as RFC 8259 allows.
 */
export function jsonBody(): RequestHandler {
  const parse = express.json({ limit: '1mb', type: ['application/json', 'application/*+json'], verify: requireUtf8 });
  // Only the methods whose routes read a body; the body of any other request is never read, so never parsed.
  return (req, res, next) => (bodyMethods.has(req.method) ? parse(req, res, next) : next());
}

const bodyMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Left alone, body-parser decodes any `utf-*` charset and turns invalid bytes
 * into U+FFFD, which would be stored as if the client had sent it. `body` is
 * the raw (decompressed) bytes; the error's `status` and `type` survive
 * body-parser and are mapped in error-handler.ts.
 */
function requireUtf8(_req: unknown, _res: unknown, body: Buffer, charset: string): void {
  if (charset !== 'utf-8') {
    throw Object.assign(new Error(`unsupported charset ${charset}`), { status: 415, type: 'charset.unsupported' });
  }
  if (!isUtf8(body)) throw Object.assign(new Error('invalid UTF-8'), { status: 400, type: 'entity.utf8.invalid' });
}
