import { Router } from 'express';
import { NotFoundError } from '../../domain/errors';
import type { Store } from '../../domain/repositories';
import type { UseCases } from '../../use-cases';
import { authenticate, callerIfAny, callerOf, identify } from '../authenticate';
import { methodNotAllowed } from '../error-handler';
import { userView } from './following';
import { followPosition, listJson, parseFollowList } from './lists';
import type { RateLimiters } from '../rate-limits';

/** Follows, under /users: the caller's own follows, and anyone's followers and followees. */
export function followsRouter({ users, follows }: Store, { accounts, profiles }: UseCases, limits: RateLimiters): Router {
  const router = Router();
  const signedIn = authenticate(accounts);
  const identified = identify(accounts);

  // Idempotent both ways: 204 whether or not the follow was there before.
  router
    .route('/me/following/:userId')
    .put(signedIn, limits.write, async (req, res) => {
      await profiles.follow(callerOf(res), req.params.userId);
      res.status(204).end();
    })
    .delete(signedIn, limits.write, async (req, res) => {
      await profiles.unfollow(callerOf(res), req.params.userId);
      res.status(204).end();
    })
    .all(methodNotAllowed('PUT', 'DELETE'));

  for (const side of ['followers', 'following'] as const) {
    router
      .route(`/:id/${side}`)
      .get(identified, async (req, res) => {
        const { id } = req.params;
        const list = parseFollowList(req, `GET /users/${id}/${side}`, id);
        // Both by the id asked for, at once: an unknown user has an empty list.
        const [user, slice] = await Promise.all([users.findById(id), side === 'followers' ? follows.followers(list.query) : follows.following(list.query)]);
        if (user === null) throw new NotFoundError('user', id);
        const view = userView(await profiles.followedBy(callerIfAny(res), slice.items.map((item) => item.user)));
        res.json(listJson(slice, (item) => view(item.user), list, followPosition, undefined));
      })
      .all(methodNotAllowed('GET'));
  }

  return router;
}
