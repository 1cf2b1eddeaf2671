import { Router } from 'express';
import { NotFoundError } from '../domain/errors';
import type { Store } from '../domain/repositories';
import { CreateUserBody, UpdateUserBody } from './bodies/user.bodies';
import { methodNotAllowed } from './error-handler';
import { pageJson, postJson, userJson } from './presenters';
import { parseBody, parsePage, requireChanges } from './validation';

export function usersRouter({ users, posts }: Store): Router {
  const router = Router();

  router
    .route('/')
    .get(async (req, res) => {
      res.json(pageJson(await users.list(parsePage(req)), userJson));
    })
    .post(async (req, res) => {
      const user = await users.create(parseBody(CreateUserBody, req));
      res.status(201).location(`/users/${encodeURIComponent(user.id)}`).json(userJson(user));
    })
    .all(methodNotAllowed('GET', 'POST'));

  router
    .route('/:id')
    .get(async (req, res) => {
      const user = await users.findById(req.params.id);
      if (user === null) throw new NotFoundError('user', req.params.id);
      res.json(userJson(user));
    })
    .patch(async (req, res) => {
      const changes = requireChanges(parseBody(UpdateUserBody, req));
      res.json(userJson(await users.update(req.params.id, changes)));
    })
    .delete(async (req, res) => {
      await users.delete(req.params.id);
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'PATCH', 'DELETE'));

  router
    .route('/:id/posts')
    .get(async (req, res) => {
      const page = parsePage(req);
      if ((await users.findById(req.params.id)) === null) throw new NotFoundError('user', req.params.id);
      res.json(pageJson(await posts.listByAuthor(req.params.id, page), postJson));
    })
    .all(methodNotAllowed('GET'));

  return router;
}
