import {
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
  STATUS_CODES,
  createServer as createHttpServer,
  maxHeaderSize,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { problemDocument } from './problem';
import { securityHeaderValues } from './security-headers';

/**
 * The HTTP server for the app. What Node refuses before the app sees a request
 * (a request it cannot parse, headers over 16 KB, a request too slow to
 * arrive, no Host, an unknown Expect) gets a problem too, with the security
 * headers of every answer, then the connection is closed; Node's own answers
 * have no body. So does CONNECT, which Node hands over as a bare socket and
 * would otherwise close without a byte: this service is not a proxy.
 */
export function createServer(app: RequestListener, options: ServerOptions = {}): Server {
  /** The latest response on each connection until it is done. */
  const responding = new WeakMap<Duplex, ServerResponse>();
  const unfinished = new Set<ServerResponse>();

  const server = createHttpServer({ ...options, requireHostHeader: false }, (req, res) => {
    responding.set(req.socket, res);
    unfinished.add(res);
    res.once('close', () => {
      unfinished.delete(res);
      if (responding.get(req.socket) === res) responding.delete(req.socket);
    });
    // Stopping: a request that was on its way still gets its answer, and then its connection is closed.
    if (!server.listening) closeAfter(server, res);
    // RFC 9112 §3.2, which Node would answer with an empty 400.
    if (req.httpVersion === '1.1' && req.headers.host === undefined) return refuse(res, 400, 'an HTTP/1.1 request needs a Host header');
    app(req, res);
  });

  server.on('checkExpectation', (_req, res: ServerResponse) => refuse(res, 417, 'Expect may only be 100-continue'));

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writableEnded) return; // already closing once its last bytes are out
    const res = responding.get(socket);
    // An answer now would be read as (part of) the answer to an earlier request: one whose response has begun,
    // or one read in full, so that what failed is a request pipelined after it.
    if (!socket.writable || (res && (res.headersSent || res.req.complete))) {
      socket.destroy();
      return;
    }
    const [status, detail] = parserProblems[error.code ?? ''] ?? [400, 'request is not valid HTTP/1.1'];
    socket.end(rawProblem(status, detail), () => socket.destroy());
  });

  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {}); // a client gone before the answer is out: nothing is owed
    // RFC 9112 §3.2.3: CONNECT names host:port, a tunnel this service does not offer; any other target is malformed.
    const [status, detail, headers]: Parameters<typeof rawProblem> = /^[^/*][^/]*:\d+$/.test(req.url ?? '')
      ? [405, 'CONNECT is not allowed: this service is not a proxy', { Allow: '' }]
      : [400, 'CONNECT needs a host:port target, and this service is not a proxy'];
    const answer = () => socket.end(rawProblem(status, detail, headers), () => socket.destroy());
    // An answer still owed on this connection goes out first.
    const earlier = responding.get(socket);
    if (earlier === undefined) answer();
    else earlier.once('close', answer);
  });
  unfinishedResponses.set(server, unfinished);
  return server;
}

const unfinishedResponses = new WeakMap<Server, Set<ServerResponse>>();

/**
 * Stops a server made by createServer: no new connection is accepted (idle ones are closed at once), each
 * request already on its way is answered and its connection then closed, and after `graceMs` whatever
 * connections are left are cut. Answers how many were cut.
 */
export function stopServer(server: Server, graceMs: number): Promise<number> {
  return new Promise((resolve) => {
    const grace = setTimeout(() => {
      server.getConnections((_error, left) => {
        server.closeAllConnections();
        resolve(left);
      });
    }, graceMs);
    server.close(() => {
      clearTimeout(grace);
      resolve(0);
    });
    for (const res of unfinishedResponses.get(server) ?? []) closeAfter(server, res);
  });
}

/** Asks the client not to reuse the connection, and closes it once the response is sent. */
function closeAfter(server: Server, res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  // A response already under way cannot say so: its connection is closed as soon as it is idle.
  else res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
}

function refuse(res: ServerResponse, status: number, detail: string): void {
  const body = problemDocument({ status, detail });
  res.writeHead(status, {
    ...securityHeaderValues,
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
}

/** A whole problem answer, head and body, for a socket no ServerResponse writes to. */
function rawProblem(status: number, detail: string, headers: Record<string, string> = {}): string {
  const body = problemDocument({ status, detail });
  const fields = {
    ...securityHeaderValues,
    ...headers,
    'Content-Type': 'application/problem+json',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status]}`, ...Object.entries(fields).map(([name, value]) => `${name}: ${value}`)];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/** Node's parser errors (llhttp's `HPE_*` codes and its request timeout), by what the client got wrong. */
const parserProblems: Record<string, [status: number, detail: string]> = {
  HPE_HEADER_OVERFLOW: [431, `request line and headers are larger than ${maxHeaderSize / 1024} KB`],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'chunk extensions are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request did not arrive in time'],
  HPE_INVALID_METHOD: [400, 'request line is malformed'],
  HPE_INVALID_CONSTANT: [400, 'request line is malformed'],
  HPE_INVALID_VERSION: [400, 'request line is malformed'],
  HPE_INVALID_URL: [400, 'request target is malformed: bytes outside printable ASCII must be percent-encoded'],
  HPE_INVALID_HEADER_TOKEN: [400, 'a request header is malformed'],
  HPE_CR_EXPECTED: [400, 'request lines must end with CRLF'],
  HPE_LF_EXPECTED: [400, 'request lines must end with CRLF'],
  HPE_INVALID_CONTENT_LENGTH: [400, 'Content-Length is not a whole number, or comes with Transfer-Encoding'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'Content-Length is sent more than once'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'Transfer-Encoding must end with chunked and not come with Content-Length'],
  HPE_INVALID_CHUNK_SIZE: [400, 'chunked body is malformed'],
};
