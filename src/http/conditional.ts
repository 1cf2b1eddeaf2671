import type { Request, Response } from 'express';
import type { ExpectedVersions } from '../domain/versions';
import { HttpProblem } from './problem';

/**
 * A record's version is its strong entity tag, `"3"`. Express answers
 * If-None-Match with 304 by itself (weak comparison, RFC 9110 §13.1.2) once the
 * ETag is set, so GET handlers only call this.
 */
export function setVersionTag(res: Response, version: number): Response {
  return res.set('ETag', `"${version}"`);
}

const entityTagList = /^\s*(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"\s*(?:,\s*(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"\s*)*$/;
const entityTag = /(W\/)?"([^"]*)"/g;

/**
 * The versions `If-Match` allows a write on (RFC 9110 §13.1.1): undefined
 * when it is absent or `*` (any version of a record that exists), otherwise
 * the versions of its strong tags. A weak tag or a tag we never issued matches
 * no version, so the write is refused with 412; a header that is not a list of
 * entity tags is a 400.
 */
export function ifMatchVersions(req: Request): ExpectedVersions {
  const header = req.get('If-Match');
  if (header === undefined || header.trim() === '*') return undefined;
  if (!entityTagList.test(header)) {
    throw new HttpProblem(400, 'If-Match must be * or a list of entity tags such as "3"', [
      { field: 'If-Match', message: 'If-Match must be * or a list of entity tags such as "3"' },
    ]);
  }
  const versions: number[] = [];
  for (const [, weak, opaque] of header.matchAll(entityTag)) {
    if (weak === undefined && /^[1-9]\d{0,9}$/.test(opaque) && Number(opaque) <= 2_147_483_647) versions.push(Number(opaque));
  }
  return versions;
}
