import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request, type RequestHandler, Router } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreKind } from '../config';
import { unauthorized } from './authenticate';
import { methodNotAllowed } from './error-handler';

/** The route label of a response no route answered: a 404, or one sent by middleware before any route. */
const unmatchedRoute = '<unmatched>';

const mounts = new WeakMap<Request, string>();

/**
 * What `GET /metrics` shows, in a registry of its own: prom-client's global one would refuse a second app's
 * metrics in the same process. Routes are labelled by their template, never by the path requested, so ids
 * cannot multiply the series.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly requestSeconds = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request arriving to its response being sent, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly storeSeconds = new Histogram({
    name: 'store_operation_duration_seconds',
    help: 'Time each repository call took, by store and operation',
    labelNames: ['store', 'operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The timer openStore takes, for the store of this kind. */
  storeTimer(store: StoreKind): (operation: string, seconds: number) => void {
    return (operation, seconds) => this.storeSeconds.observe({ store, operation }, seconds);
  }

  /** Counts and times every response once it is sent (not those whose client went away first). */
  readonly recordRequests: RequestHandler = (req, res, next) => {
    const stopTimer = this.requestSeconds.startTimer();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeTemplate(req), status: String(res.statusCode) };
      this.requests.inc(labels);
      stopTimer(labels);
    });
    next();
  };
}

/** Goes before a router mounted at `path`, whose routes' templates are relative to it. */
export function mountedAt(path: string): RequestHandler {
  return (req, _res, next) => {
    mounts.set(req, path);
    next();
  };
}

/** The template of the route that answered, with its router's mount path: `/posts/:id`. */
function routeTemplate(req: Request): string {
  const path: unknown = req.route?.path;
  if (typeof path !== 'string') return unmatchedRoute;
  const mount = mounts.get(req) ?? '';
  return mount !== '' && path === '/' ? mount : mount + path;
}

/** `GET /metrics` in Prometheus' text format; with a token, only for requests bearing it. */
export function metricsRouter(metrics: Metrics, token?: string): Router {
  const router = Router();
  router
    .route('/metrics')
    .get(async (req, res) => {
      if (token !== undefined) {
        const given = /^Bearer +(.*)$/i.exec(req.get('Authorization') ?? '')?.[1];
        if (given === undefined) throw unauthorized('metrics need an Authorization: Bearer token');
        if (!sameSecret(given, token)) throw unauthorized('the token is not the one metrics are configured with', 'invalid_token');
      }
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    })
    .all(methodNotAllowed('GET'));
  return router;
}

/** Compared by digest, so the time taken says nothing about how much of the secret was right. */
function sameSecret(given: string, secret: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
