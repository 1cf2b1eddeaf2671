import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestHandler } from 'express';
import { type StoreOperations, durationOf, recordingOperations, storeTime } from '../stores/capture';

const recorded = new WeakMap<ServerResponse, StoreOperations>();

/**
 * Records the store operations each request sends (src/stores/capture.ts: the adapters' hooks append to the
 * request's record, found in its async context), for the request log's debug line and, with `serverTiming`,
 * for a Server-Timing header on every answer, errors and 404s included:
 * `store;dur=<ms>;desc="<N> operations", app;dur=<ms>`, the app's time being the request's until its headers
 * less the store's. Mounted first, so that the request's time covers every other middleware.
 */
export function recordStoreOperations({ serverTiming }: { serverTiming: boolean }): RequestHandler {
  return (_req, res, next) => {
    const operations: StoreOperations = [];
    recorded.set(res, operations);
    if (serverTiming) {
      const started = performance.now();
      // Every way of answering, res.end() without an explicit writeHead included, passes here before the headers leave.
      const writeHead = res.writeHead;
      res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
        if (!this.headersSent) this.setHeader('Server-Timing', serverTimingOf(operations, started, performance.now()));
        return (writeHead as (...args: unknown[]) => ServerResponse).apply(this, args);
      } as typeof res.writeHead;
    }
    recordingOperations(operations, next);
  };
}

/** The operations `res`'s request has sent so far, when they are recorded. */
export function operationsOf(res: ServerResponse): StoreOperations | undefined {
  return recorded.get(res);
}

/** The operations as the debug log line lists them: text (placeholders only) and milliseconds. */
export function loggedOperations(operations: StoreOperations, now = performance.now()): { op: string; ms: number }[] {
  return operations.map((operation) => ({ op: operation.text, ms: rounded(durationOf(operation, now)) }));
}

function serverTimingOf(operations: StoreOperations, started: number, now: number): string {
  const store = storeTime(operations, now);
  const total = now - started;
  return `store;dur=${rounded(store)};desc="${operations.length} operations", app;dur=${rounded(Math.max(0, total - store))}`;
}

function rounded(ms: number): number {
  return Math.round(ms * 100) / 100;
}
