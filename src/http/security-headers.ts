import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet's headers on every response. Its default Content-Security-Policy already lets a page of this origin
 * run its own script files and styles (the API docs page: no inline script, no CDN), and nothing else.
 * `upgrade-insecure-requests` is dropped: the service also speaks plain HTTP (locally, in the compose demo
 * by service name), where it would send a browser to an https:// that nobody serves.
 */
export function securityHeaders(): RequestHandler {
  return helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
}

/** Headers a browser script on another origin may read: without these, it sees none of them. */
const exposedHeaders = ['ETag', 'Location', 'Retry-After', 'X-Request-Id', 'RateLimit', 'RateLimit-Policy'];

/**
 * CORS for exactly these origins (a preflight is answered here, before any route); no credentials, since
 * tokens travel in the Authorization header, not in cookies.
 */
export function crossOrigin(origins: string[]): RequestHandler {
  return cors({ origin: origins, exposedHeaders, maxAge: 600 });
}
