import { Router } from 'express';
import type { Store } from '../../domain/repositories';
import { methodNotAllowed } from '../error-handler';
import { listJson, parseTagList, tagPosition } from './lists';
import { tagJson } from './presenters';
import type { RateLimiters } from '../rate-limits';

/** The tags in use, with how many posts carry each; tags are written only through posts. */
export function tagsRouter({ tags }: Store, limits: RateLimiters): Router {
  const router = Router();
  router
    .route('/')
    .get(limits.expensiveRead, async (req, res) => {
      const list = parseTagList(req);
      const [slice, total] = await Promise.all([tags.find(list.query), list.count ? tags.count() : undefined]);
      res.json(listJson(slice, tagJson, list, tagPosition, total));
    })
    .all(methodNotAllowed('GET'));
  return router;
}
