import type { Request, Response } from 'express';
import type { ExpectedVersions } from '../../domain/versions';
import { HttpProblem } from '../problem';

/**
 * What a view adds to the bytes of a record beyond its version: a user view's `following` (`"3-following"`),
 * a post's `favoritesCount` and, signed in, its `favorited` (`"3-f12"`, `"3-f12-favorited"`), so that a tag
 * never stays the same while the bytes it tags change, and never names another caller's bytes.
 */
export type TagVariant = 'following' | 'not-following' | `f${number}` | `f${number}-favorited` | `f${number}-not-favorited`;

/** The version a tag names, with or without a variant: what `If-Match` guards. */
const versionTag = /^([1-9]\d{0,9})(?:-(?:not-)?following|-f\d{1,10}(?:-(?:not-)?favorited)?)?$/;

/**
 * A record's version is its strong entity tag, `"3"`. A GET or HEAD whose If-None-Match is `*` or names that
 * tag (weak comparison, RFC 9110 §13.1.2) is answered 304 with the tag and no body, so GET handlers only call
 * this. Evaluated here, whatever Cache-Control the request carries: Express's own check ignores If-None-Match
 * beside `no-cache`, a cache's rule, not an origin server's, and the Fetch standard adds `no-cache` to every
 * conditional request, so no fetch() client would ever get a 304.
 */
export function setVersionTag(res: Response, version: number, variant?: TagVariant): Response {
  const tag = variant === undefined ? `"${version}"` : `"${version}-${variant}"`;
  res.set('ETag', tag);
  const { method } = res.req;
  if ((method === 'GET' || method === 'HEAD') && listsTag(res.req.get('If-None-Match'), tag)) res.status(304);
  return res;
}

/** Whether If-None-Match is `*` or lists `tag`, weak or strong: then its condition, "none matches", is false. */
function listsTag(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((listed) => listed.trim().replace(/^W\//, '') === tag);
}

const entityTagList = /^\s*(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"\s*(?:,\s*(?:W\/)?"[\x21\x23-\x7e\x80-\xff]*"\s*)*$/;
const entityTag = /(W\/)?"([^"]*)"/g;

/**
 * The versions `If-Match` allows a write on (RFC 9110 §13.1.1): undefined
 * when it is absent or `*` (any version of a record that exists), otherwise
 * the versions of its strong tags, a variant's too (`"3-following"` and `"3-f12-favorited"` guard version 3). A weak tag or a tag we never issued matches
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
    const version = weak === undefined ? versionTag.exec(opaque)?.[1] : undefined;
    if (version !== undefined && Number(version) <= 2_147_483_647) versions.push(Number(version));
  }
  return versions;
}
