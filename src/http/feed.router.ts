import { Router } from 'express';
import type { Accounts } from '../auth/accounts';
import type { PostQuery } from '../domain/listing';
import type { Store } from '../domain/repositories';
import { authenticate, callerOf } from './authenticate';
import { methodNotAllowed } from './error-handler';
import { type ListRequest, listJson, parsePostList, postPosition } from './lists';
import { postViews } from './favoriting';
import type { RateLimiters } from './rate-limits';

/**
 * `GET /feed`: the posts of the users the caller follows, with the sorts, cursors and filters of `GET /posts`.
 * A cursor belongs to one caller's feed: the list it is checked against names the caller.
 */
export function feedRouter({ posts, favorites }: Store, accounts: Accounts, limits: RateLimiters): Router {
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
        const callerId = callerOf(res).user.id;
        const list = feedOf(parsePostList(req, `GET /feed of ${callerId}`), callerId);
        const [slice, total] = await Promise.all([posts.find(list.query), list.count ? posts.count(list.query.filter) : undefined]);
        res.json(listJson(slice, await postViews(favorites, res, slice.items), list, postPosition(list.query.sort), total));
      },
    )
    .all(methodNotAllowed('GET'));

  return router;
}

/** The list, narrowed to the authors `callerId` follows. */
function feedOf(list: ListRequest<PostQuery>, callerId: string): ListRequest<PostQuery> {
  return { ...list, query: { ...list.query, filter: { ...list.query.filter, followedBy: callerId } } };
}
