import { type Response, Router } from 'express';
import { proofNeeded } from '../../auth/accounts';
import { NotFoundError } from '../../domain/errors';
import type { Store } from '../../domain/repositories';
import type { UseCases } from '../../use-cases';
import { authenticate, callerIfAny, callerOf, identify } from '../authenticate';
import type { IdempotentCreates } from '../idempotency';
import { ifMatchVersions, setVersionTag } from './conditional';
import { ChangePasswordBody, CreateUserBody, DeleteUserBody, UpdateUserBody } from './bodies/user.bodies';
import { accountBodyLimit, jsonBody, profileBodyLimit } from '../json-body';
import type { RateLimiters } from '../rate-limits';
import { methodNotAllowed } from '../error-handler';
import { listJson, parsePostList, parseUserList, postPosition, userPosition } from './lists';
import { requireOwnPassword, runMiddleware, wrongPassword } from '../password-checks';
import { userView } from './following';
import { postView } from './favoriting';
import { ownUserJson, publicUserJson } from './presenters';
import { HttpProblem } from '../problem';
import { parseBody, requireChanges } from '../validation';

export function usersRouter({ users }: Store, { accounts, posts, profiles }: UseCases, limits: RateLimiters, creates: IdempotentCreates): Router {
  const router = Router();
  const signedIn = authenticate(accounts);
  const identified = identify(accounts);
  const accountBody = jsonBody(accountBodyLimit);
  const profileBody = jsonBody(profileBodyLimit);
  // One count for sign-ups and changes of email: both tell whether an email is taken.
  const emailClaims = limits.signUp;
  const checks = limits.passwordCheck;

  router
    .route('/')
    .get(limits.expensiveRead, identified, async (req, res) => {
      const list = parseUserList(req);
      const [slice, total] = await Promise.all([users.find(list.query), list.count ? users.count() : undefined]);
      res.json(listJson(slice, userView(await profiles.followedBy(callerIfAny(res), slice.items)), list, userPosition, total));
    })
    // Sign-up is anonymous: its keys belong to the route. The password is never kept, not even hashed.
    .post(emailClaims, profileBody, creates.handler({ route: 'POST /users', unkeptFields: ['password'], owner: signedUpUser }, async (req, res) => {
      const { password, ...profile } = parseBody(CreateUserBody, req);
      const user = await accounts.signUp(profile, password);
      res.locals.signedUp = user.id;
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
    .route('/me/password')
    .post(signedIn, limits.write, accountBody, async (req, res) => {
      const { currentPassword, newPassword } = parseBody(ChangePasswordBody, req);
      await runMiddleware(checks, req, res);
      if (!(await accounts.changePassword(callerOf(res), currentPassword, newPassword))) throw wrongPassword();
      res.status(204).end();
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/me/sessions')
    .delete(signedIn, async (_req, res) => {
      await accounts.endSessions(callerOf(res));
      res.status(204).end();
    })
    .all(methodNotAllowed('DELETE'));

  router
    .route('/:id')
    .get(identified, async (req, res) => {
      const { user, following } = await profiles.read(callerIfAny(res), req.params.id);
      setVersionTag(res, user.version, following === undefined ? undefined : following ? 'following' : 'not-following').json(publicUserJson(user, following));
    })
    .patch(signedIn, limits.write, profileBody, async (req, res) => {
      const expected = ifMatchVersions(req);
      requireSelf(res, req.params.id);
      const { currentPassword, ...changes } = parseBody(UpdateUserBody, req);
      requireChanges(changes);
      if (proofNeeded(changes) !== undefined) {
        if (currentPassword === undefined) throw passwordRequired('to change the email');
        await runMiddleware(emailClaims, req, res);
      }
      if (currentPassword !== undefined) await requireOwnPassword(accounts, checks, req, res, currentPassword);
      const user = await accounts.changeAccount(callerOf(res), changes, expected);
      setVersionTag(res, user.version).json(ownUserJson(user));
    })
    // No body at all: say what is missing rather than which media type.
    .delete(signedIn, limits.write, (req, _res, next) => next(req.is('application/json') === null ? passwordRequired('to delete the account') : undefined), accountBody, async (req, res) => {
      const expected = ifMatchVersions(req);
      requireSelf(res, req.params.id);
      const { currentPassword } = parseBody(DeleteUserBody, req);
      await requireOwnPassword(accounts, checks, req, res, currentPassword);
      await users.delete(req.params.id, expected);
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'PATCH', 'DELETE'));

  router
    .route('/:id/posts')
    .get(limits.expensiveRead, identified, async (req, res) => {
      const list = parsePostList(req, `GET /users/${req.params.id}/posts`, req.params.id);
      if ((await users.findById(req.params.id)) === null) throw new NotFoundError('user', req.params.id);
      const page = await posts.page(callerIfAny(res), list.query, { count: list.count });
      res.json(listJson(page.slice, postView(page), list, postPosition(list.query.sort), page.total));
    })
    .all(methodNotAllowed('GET'));

  return router;
}

function requireSelf(res: Response, id: string): void {
  if (callerOf(res).user.id !== id) throw new HttpProblem(403, 'a user can change or delete only themselves');
}

function passwordRequired(purpose: string): HttpProblem {
  const message = `currentPassword is required ${purpose}`;
  return new HttpProblem(400, `request body is invalid: ${message}`, [{ field: 'currentPassword', message }]);
}

/** The user a sign-up made, whose own its kept answer is. */
function signedUpUser(res: Response): string | undefined {
  return res.locals.signedUp as string | undefined;
}
