import { Router } from 'express';
import type { UseCases } from '../../use-cases';
import { authenticate, callerOf } from '../authenticate';
import { methodNotAllowed } from '../error-handler';
import { listJson, parsePostList, postPosition } from './lists';
import { postView } from './favoriting';
import type { RateLimiters } from '../rate-limits';

/**
 * `GET /feed`: the posts of the users the caller follows, with the sorts, cursors and filters of `GET /posts`.
 * A cursor belongs to one caller's feed: the list it is checked against names the caller.
 */
export function feedRouter({ accounts, posts }: UseCases, limits: RateLimiters): Router {
  const router = Router();

  router
    .route('/')
    .get(
      (_req, res, next) => {
        // One URL, a page per caller: said on every answer, a 401 too.
        res.vary('Authorization');
        next();
      },
      authenticate(accounts),
      limits.expensiveRead,
      async (req, res) => {
        const caller = callerOf(res);
        const list = parsePostList(req, `GET /feed of ${caller.user.id}`);
        const page = await posts.feed(caller, list.query, { count: list.count });
        res.json(listJson(page.slice, postView(page), list, postPosition(list.query.sort), page.total));
      },
    )
    .all(methodNotAllowed('GET'));

  return router;
}

