import express, { type Express, type Router } from 'express';
import { pino, type Logger } from 'pino';
import type { AccountOptions } from './auth/accounts';
import { HashSlots } from './auth/hash-slots';
import type { Config } from './config';
import type { Store } from './domain/repositories';
import { authRouter } from './http/native/auth.router';
import { commentsRouter } from './http/native/comments.router';
import { conduitRouter } from './http/conduit/conduit.router';
import { favoritesRouter } from './http/native/favorites.router';
import { feedRouter } from './http/native/feed.router';
import { followsRouter } from './http/native/follows.router';
import { movedRecords } from './http/native/moved-records';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { closeAfterUnreadBody } from './http/json-body';
import { Metrics, metricsRouter, mountedAt } from './http/metrics';
import { type IdempotencyOptions, IdempotentCreates } from './http/idempotency';
import { openApiRouter } from './http/openapi/openapi.router';
import { type LoginLimit, type RateLimit, type RateLimitCounters, rateLimiters } from './http/rate-limits';
import { recordStoreOperations } from './http/persistence';
import { postsRouter } from './http/native/posts.router';
import { requestLog } from './http/request-log';
import { probesRouter } from './http/probes.router';
import { crossOrigin, securityHeaders } from './http/security-headers';
import { tagsRouter } from './http/native/tags.router';
import { usersRouter } from './http/native/users.router';
import { useCases } from './use-cases';

export interface AppOptions {
  accounts: AccountOptions;
  loginLimit: LoginLimit;
  signUpLimit: RateLimit;
  /** Searches, totals and deep skips of the lists, per client address. */
  expensiveReadLimit: RateLimit;
  /** Writes of posts, users, comments, follows and favorites, and password changes, per signed-in user. */
  writeLimit: RateLimit;
  /** Idempotency-Key on creates; the defaults keep a key 24 h. */
  idempotency?: Partial<IdempotencyOptions>;
  /** How many reverse proxies may set X-Forwarded-For, which decides the client address that rate limits count. */
  trustProxyHops?: number;
  /** Origins whose browser scripts may call the API; none, and no CORS header is sent. */
  corsOrigins?: string[];
  logger?: Logger;
  /** What /metrics reports; main.ts passes the one its store times operations for, otherwise each app has its own. */
  metrics?: Metrics;
  /** When set, /metrics answers only requests bearing it as their bearer token. */
  metricsToken?: string;
  /**
   * Every answer carries Server-Timing: the store's time and number of operations, and the app's own time.
   * Needs a store opened with `captureOperations`; anyone who calls the API can read it.
   */
  serverTiming?: boolean;
  /** Aborted when the service starts to stop: /readyz then answers 503 while the requests in flight finish. */
  stopping?: AbortSignal;
}

/** What the settings say the app should be, with the parts the caller opened itself: shared counters, logger, metrics. */
export function appOptions(
  config: Config,
  given: Pick<AppOptions, 'logger' | 'metrics' | 'stopping'> & { counters?: RateLimitCounters } = {},
): AppOptions {
  const { auth } = config;
  const { counters, ...rest } = given;
  return {
    accounts: {
      tokenTtlMs: auth.tokenTtlSeconds * 1000,
      passwordHashCost: auth.passwordHashCost,
      hashSlots: new HashSlots({ concurrency: auth.passwordHashConcurrency, queue: auth.passwordHashQueue }),
    },
    loginLimit: { limit: auth.loginRateLimit, emailLimit: auth.loginEmailRateLimit, windowMs: auth.loginRateWindowSeconds * 1000, counters },
    signUpLimit: { limit: auth.signUpRateLimit, windowMs: auth.signUpRateWindowSeconds * 1000, counters },
    expensiveReadLimit: { limit: config.expensiveReadLimit.limit, windowMs: config.expensiveReadLimit.windowSeconds * 1000, counters },
    writeLimit: { limit: config.writeLimit.limit, windowMs: config.writeLimit.windowSeconds * 1000, counters },
    trustProxyHops: config.trustProxyHops,
    corsOrigins: config.corsOrigins,
    metricsToken: config.metricsToken,
    serverTiming: config.serverTiming,
    ...rest,
  };
}

/** The whole HTTP API over one store. Reads no settings and listens nowhere: main.ts does that. */
export function createApp(store: Store, options: AppOptions): Express {
  const { logger = pino({ level: 'silent' }), trustProxyHops = 0 } = options;
  const cases = useCases(store, options.accounts);
  const { accounts } = cases;
  const creates = new IdempotentCreates(store.idempotencyKeys, options.idempotency);
  const metrics = options.metrics ?? new Metrics();
  const limits = rateLimiters({ login: options.loginLimit, signUp: options.signUpLimit, expensiveRead: options.expensiveReadLimit, write: options.writeLimit });
  const app = express();
  app.disable('x-powered-by');
  // Records carry their own strong ETag (their version); nothing else is hashed per response.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', trustProxyHops);

  // The store operations of each request, for Server-Timing and the debug log line; not recorded otherwise.
  const serverTiming = options.serverTiming === true;
  if (serverTiming || logger.isLevelEnabled('debug')) app.use(recordStoreOperations({ serverTiming }));
  app.use(requestLog(logger));
  app.use(metrics.recordRequests);
  app.use(securityHeaders());
  if (options.corsOrigins?.length) app.use(crossOrigin(options.corsOrigins, { serverTiming }));
  // No body is read here: each route that takes one reads it once it has accepted the request.
  app.use(closeAfterUnreadBody);

  // Each router's mount path is recorded too: metrics label a response by its route's whole template.
  // The busiest first: a request passes by each mount path it does not match, but goes through each
  // router mounted at the root, route by route.
  const mount = (path: string, router: Router) => app.use(path, mountedAt(path), router);
  mount('/posts', postsRouter(cases, creates, limits));
  mount('/posts/:id/comments', commentsRouter(cases, creates, limits));
  mount('/users', usersRouter(store, cases, limits, creates));
  mount('/users', followsRouter(store, cases, limits));
  mount('/users', favoritesRouter(store, cases, limits));
  mount('/feed', feedRouter(cases, limits));
  mount('/tags', tagsRouter(store, limits));
  mount('/auth', authRouter(accounts, limits));
  mount('/api', conduitRouter(cases, store.tags, creates, limits));
  app.use(probesRouter(store, options.stopping));
  app.use(metricsRouter(metrics, options.metricsToken));
  app.use(openApiRouter());

  app.use(notFoundHandler);
  app.use(movedRecords(store.transfer));
  app.use(errorHandler);
  return app;
}
