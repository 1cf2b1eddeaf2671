import type { ErrorRequestHandler } from 'express';
import { NotFoundError } from '../../domain/errors';
import type { TransferRepository } from '../../domain/repositories';
import type { IdentifiedKind } from '../../domain/transfer';

/** The native paths that name a record by id, and the kind each id segment names. */
const recordPaths: { pattern: RegExp; kinds: IdentifiedKind[] }[] = [
  { pattern: /^\/users\/([^/]+)(?:\/(?:posts|followers|following|favorites))?\/?$/, kinds: ['users'] },
  { pattern: /^\/posts\/([^/]+)(?:\/comments)?\/?$/, kinds: ['posts'] },
  { pattern: /^\/posts\/([^/]+)\/comments\/([^/]+)\/?$/, kinds: ['posts', 'comments'] },
];

/**
 * After a copy from a store of the other family (npm run copy), the records have ids of this store's kind; a
 * GET or HEAD that would be a 404 for an old id is answered `308 Permanent Redirect` to the same path under the
 * new ids, its query kept. Only a 404 pays for the look-up, and an id of this store's own kind none at all
 * (TransferRepository.movedId answers null at once).
 */
export function movedRecords(transfer: TransferRepository): ErrorRequestHandler {
  return async (error, req, res, next) => {
    if (!(error instanceof NotFoundError) || (req.method !== 'GET' && req.method !== 'HEAD') || res.headersSent) return next(error);
    const path = req.path;
    const match = recordPaths.map(({ pattern, kinds }) => ({ found: pattern.exec(path), kinds })).find(({ found }) => found !== null);
    if (match === undefined) return next(error);
    let moved = path;
    let changed = false;
    for (const [i, kind] of match.kinds.entries()) {
      const oldId = decodeURIComponent(match.found![i + 1]);
      const newId = await transfer.movedId(kind, oldId);
      if (newId === null) continue;
      moved = moved.replace(`/${match.found![i + 1]}`, `/${encodeURIComponent(newId)}`);
      changed = true;
    }
    if (!changed) return next(error);
    const query = req.originalUrl.indexOf('?');
    res.status(308).location(`${moved}${query === -1 ? '' : req.originalUrl.slice(query)}`).end();
  };
}
