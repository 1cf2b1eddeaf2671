import { type Response, Router } from 'express';
import type { Accounts } from '../auth/accounts';
import { NotFoundError } from '../domain/errors';
import type { Store } from '../domain/repositories';
import { authenticate, callerOf } from './authenticate';
import type { IdempotentCreates } from './idempotency';
import { ifMatchVersions, setVersionTag } from './conditional';
import { CreateUserBody, UpdateUserBody } from './bodies/user.bodies';
import { accountBodyLimit, jsonBody } from './json-body';
import type { RateLimiters } from './rate-limits';
import { methodNotAllowed } from './error-handler';
import { listJson, parsePostList, parseUserList, postPosition, userPosition } from './lists';
import { ownUserJson, postJson, publicUserJson } from './presenters';
import { HttpProblem } from './problem';
import { parseBody, requireChanges } from './validation';

export function usersRouter({ users, posts }: Store, accounts: Accounts, limits: RateLimiters, creates: IdempotentCreates): Router {
  const router = Router();
  const signedIn = authenticate(accounts);
  const accountBody = jsonBody(accountBodyLimit);

  router
    .route('/')
    .get(limits.expensiveRead, async (req, res) => {
      const list = parseUserList(req);
      const [slice, total] = await Promise.all([users.find(list.query), list.count ? users.count() : undefined]);
      res.json(listJson(slice, publicUserJson, list, userPosition, total));
    })
    // Sign-up is anonymous: its keys belong to the route. The password is never kept, not even hashed.
    .post(limits.signUp, accountBody, creates.handler({ route: 'POST /users', unkeptFields: ['password'] }, async (req, res) => {
      const { password, ...profile } = parseBody(CreateUserBody, req);
      const user = await accounts.signUp(profile, password);
      setVersionTag(res.status(201).location(`/users/${encodeURIComponent(user.id)}`), user.version).json(ownUserJson(user));
    }))
    .all(methodNotAllowed('GET', 'POST'));

  router
    .route('/me')
    .get(signedIn, (_req, res) => {
      const { user } = callerOf(res);
      setVersionTag(res, user.version).json(ownUserJson(user));
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/:id')
    .get(async (req, res) => {
      const user = await users.findById(req.params.id);
      if (user === null) throw new NotFoundError('user', req.params.id);
      setVersionTag(res, user.version).json(publicUserJson(user));
    })
    .patch(signedIn, limits.write, accountBody, async (req, res) => {
      const expected = ifMatchVersions(req);
      requireSelf(res, req.params.id);
      const changes = requireChanges(parseBody(UpdateUserBody, req));
      const user = await users.update(req.params.id, changes, expected);
      setVersionTag(res, user.version).json(ownUserJson(user));
    })
    .delete(signedIn, limits.write, async (req, res) => {
      const expected = ifMatchVersions(req);
      requireSelf(res, req.params.id);
      await users.delete(req.params.id, expected);
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'PATCH', 'DELETE'));

  router
    .route('/:id/posts')
    .get(limits.expensiveRead, async (req, res) => {
      const list = parsePostList(req, `GET /users/${req.params.id}/posts`, req.params.id);
      if ((await users.findById(req.params.id)) === null) throw new NotFoundError('user', req.params.id);
      const [slice, total] = await Promise.all([posts.find(list.query), list.count ? posts.count(list.query.filter) : undefined]);
      res.json(listJson(slice, postJson, list, postPosition(list.query.sort), total));
    })
    .all(methodNotAllowed('GET'));

  return router;
}

function requireSelf(res: Response, id: string): void {
  if (callerOf(res).user.id !== id) throw new HttpProblem(403, 'a user can change or delete only themselves');
}
