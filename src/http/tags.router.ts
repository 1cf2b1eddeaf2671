import { Router } from 'express';
import type { Store } from '../domain/repositories';
import { methodNotAllowed } from './error-handler';
import { listJson, parseTagList, tagPosition } from './lists';
import { tagJson } from './presenters';
import type { RateLimiters } from './rate-limits';

/** The tags in use, with how many posts carry each; tags are written only through posts. */
export function tagsRouter({ tags }: Store, limits: RateLimiters): Router {
  const router = Router();
  router
    .route('/')
    .get(limits.expensiveRead, async (req, res) => {
      const list = parseTagList(req);
      res.json(listJson(await tags.find(list.query), tagJson, list, tagPosition, undefined));
    })
    .all(methodNotAllowed('GET'));
  return router;
}
