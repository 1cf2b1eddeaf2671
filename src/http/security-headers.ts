import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet's headers, computed once, so that the app's answers and those server.ts writes for what never reaches
 * the app carry the very same. Its default Content-Security-Policy already lets a page of this origin run its
 * own script files and styles (the API docs page: no inline script, no CDN), and nothing else.
 * `upgrade-insecure-requests` is dropped: the service also speaks plain HTTP (locally, in the compose demo by
 * service name), where it would send a browser to an https:// that nobody serves.
 */
export const securityHeaderValues: Readonly<Record<string, string>> = helmetHeaders();

/** Helmet's headers on every response the app makes. */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of Object.entries(securityHeaderValues)) res.setHeader(name, value);
    next();
  };
}

/** What helmet sets, collected from one run of its middleware: none of our directives depends on the request. */
function helmetHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const collector = { setHeader: (name: string, value: unknown) => void (headers[name] = String(value)), removeHeader: () => {} };
  let done = false;
  helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } })(
    {} as IncomingMessage,
    collector as unknown as ServerResponse,
    () => void (done = true),
  );
  if (!done) throw new Error('helmet did not set its headers at once');
  return headers;
}

/** Headers a browser script on another origin may read: without these, it sees none of them. */
const exposedHeaders = ['ETag', 'Location', 'Retry-After', 'X-Request-Id', 'RateLimit', 'RateLimit-Policy'];

/**
 * With `serverTiming`, a page's script also reads Server-Timing from the answer (fetch's `headers.get`). Its
 * entries in the Resource Timing API (`PerformanceResourceTiming.serverTiming`) would also need
 * Timing-Allow-Origin, which opens every timing detail of the connection to the page: not sent; the
 * browser's developer tools show the header either way.
 *
 * CORS for exactly these origins (a preflight is answered here, before any route); no credentials, since
 * tokens travel in the Authorization header, not in cookies. A request from any other origin, or from none,
 * gets no CORS header at all (the cors package would still send the methods, exposed headers and max age), and
 * its preflight meets the routes like any OPTIONS: a 405. Every answer varies by Origin, for caches.
 */
export function crossOrigin(origins: string[], { serverTiming = false } = {}): RequestHandler {
  const listed = new Set(origins);
  const answer = cors({ origin: origins, exposedHeaders: serverTiming ? [...exposedHeaders, 'Server-Timing'] : exposedHeaders, maxAge: 600 });
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('Origin');
    if (origin !== undefined && listed.has(origin)) answer(req, res, next);
    else next();
  };
}
