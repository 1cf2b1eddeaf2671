import { Router } from 'express';
import { NotFoundError } from '../../domain/errors';
import type { Store } from '../../domain/repositories';
import type { UseCases } from '../../use-cases';
import { authenticate, callerIfAny, callerOf, identify } from '../authenticate';
import { methodNotAllowed } from '../error-handler';
import { postView } from './favoriting';
import { favoritePosition, listJson, parseFavoriteList } from './lists';
import type { RateLimiters } from '../rate-limits';

/** Favorites, under /users: the caller's own favorites, and anyone's list of favorite posts. */
export function favoritesRouter({ users, favorites }: Store, { accounts, posts }: UseCases, limits: RateLimiters): Router {
  const router = Router();
  const signedIn = authenticate(accounts);
  const identified = identify(accounts);

  // Idempotent both ways: 204 whether or not the favorite was there before.
  router
    .route('/me/favorites/:postId')
    .put(signedIn, limits.write, async (req, res) => {
      await posts.favorite(callerOf(res), req.params.postId);
      res.status(204).end();
    })
    .delete(signedIn, limits.write, async (req, res) => {
      await posts.unfavorite(callerOf(res), req.params.postId);
      res.status(204).end();
    })
    .all(methodNotAllowed('PUT', 'DELETE'));

  router
    .route('/:id/favorites')
    .get(identified, async (req, res) => {
      const { id } = req.params;
      const list = parseFavoriteList(req, `GET /users/${id}/favorites`, id);
      // Both by the id asked for, at once: an unknown user has an empty list.
      const [user, slice] = await Promise.all([users.findById(id), favorites.favorites(list.query)]);
      if (user === null) throw new NotFoundError('user', id);
      const view = postView(await posts.seenBy(callerIfAny(res), slice.items.map((item) => item.post)));
      res.json(listJson(slice, (item) => view(item.post), list, favoritePosition, undefined));
    })
    .all(methodNotAllowed('GET'));

  return router;
}
