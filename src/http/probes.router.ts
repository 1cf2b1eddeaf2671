import { Router } from 'express';
import { StoreUnavailableError } from '../domain/errors';
import type { Store } from '../domain/repositories';
import { methodNotAllowed } from './error-handler';
import { HttpProblem } from './problem';

/** How long readiness waits for the store's answer to a ping. */
const pingTimeoutMs = 2_000;

/**
 * What an orchestrator probes. `/healthz`: the process answers, whatever its store does (restarting it
 * would not bring the store back). `/readyz`: the store answers too, and the service is not stopping, so
 * a load balancer may send it requests.
 */
export function probesRouter(store: Store, stopping?: AbortSignal): Router {
  const router = Router();

  router
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'alive' });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/readyz')
    .get(async (_req, res) => {
      if (stopping?.aborted) throw new HttpProblem(503, 'the service is shutting down');
      try {
        await answered(store.ping(), pingTimeoutMs);
      } catch (error) {
        // Answered and logged as any request is during an outage, with what the ping met as the cause.
        throw new StoreUnavailableError(error);
      }
      res.json({ status: 'ready', store: store.kind });
    })
    .all(methodNotAllowed('GET'));

  return router;
}

/** `promise`, or a rejection once `ms` have passed; a late failure of `promise` is then ignored. */
async function answered(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer a ping within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  try {
    await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
