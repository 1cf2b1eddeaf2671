import { Router } from 'express';
import type { Accounts } from '../../auth/accounts';
import { authenticate, callerOf, unauthorized } from '../authenticate';
import { LoginBody } from './bodies/auth.bodies';
import { methodNotAllowed } from '../error-handler';
import { accountBodyLimit, jsonBody } from '../json-body';
import type { RateLimiters } from '../rate-limits';
import { ownUserJson } from './presenters';
import { parseBody } from '../validation';

export function authRouter(accounts: Accounts, limits: RateLimiters): Router {
  const router = Router();

  router
    .route('/login')
    .post(limits.loginByAddress, jsonBody(accountBodyLimit), limits.failedLoginsByEmail, async (req, res) => {
      const { email, password } = parseBody(LoginBody, req);
      const login = await accounts.login(email, password);
      // One answer for a wrong email and a wrong password: which one is not told.
      if (login === null) throw unauthorized('email or password is wrong');
      res.set('Cache-Control', 'no-store').json({
        accessToken: login.token,
        tokenType: 'Bearer',
        expiresAt: login.expiresAt.toISOString(),
        user: ownUserJson(login.user),
      });
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/logout')
    .post(authenticate(accounts), async (_req, res) => {
      await accounts.logout(callerOf(res));
      res.status(204).end();
    })
    .all(methodNotAllowed('POST'));

  return router;
}
