import express, { type Express } from 'express';
import { pino, type Logger, stdSerializers } from 'pino';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import { type AccountOptions, Accounts } from './auth/accounts';
import type { Store } from './domain/repositories';
import { authRouter } from './http/auth.router';
import { errorForLog, errorHandler, notFoundHandler } from './http/error-handler';
import { jsonBody } from './http/json-body';
import { type IdempotencyOptions, IdempotentCreates } from './http/idempotency';
import type { LoginLimit, RateLimit } from './http/rate-limits';
import { postsRouter } from './http/posts.router';
import { tagsRouter } from './http/tags.router';
import { usersRouter } from './http/users.router';

const requestIdPattern = /^[\w.:-]{1,128}$/;

export interface AppOptions {
  accounts: AccountOptions;
  loginLimit: LoginLimit;
  signUpLimit: RateLimit;
  /** Idempotency-Key on creates; the defaults keep a key 24 h. */
  idempotency?: Partial<IdempotencyOptions>;
  /** How many reverse proxies may set X-Forwarded-For, which decides the client address that rate limits count. */
  trustProxyHops?: number;
  logger?: Logger;
}

/** The whole HTTP API over one store. Reads no settings and listens nowhere: main.ts does that. */
export function createApp(store: Store, options: AppOptions): Express {
  const { logger = pino({ level: 'silent' }), trustProxyHops = 0 } = options;
  const accounts = new Accounts(store, options.accounts);
  const creates = new IdempotentCreates(store.idempotencyKeys, options.idempotency);
  const app = express();
  app.disable('x-powered-by');
  // Records carry their own strong ETag (their version); nothing else is hashed per response.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', trustProxyHops);

  app.use(
    pinoHttp({
      logger,
      // Serializers get the raw error, not pino's copy of all its fields: errorForLog chooses what is kept.
      wrapSerializers: false,
      serializers: { req: stdSerializers.req, res: stdSerializers.res, err: errorForLog },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      // Keep a caller's request id when it is sane, so logs can be joined across services.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
    }),
  );
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(jsonBody());

  app.use('/auth', authRouter(accounts, options.loginLimit));
  app.use('/users', usersRouter(store, accounts, options.signUpLimit, creates));
  app.use('/posts', postsRouter(store, accounts, creates));
  app.use('/tags', tagsRouter(store));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
