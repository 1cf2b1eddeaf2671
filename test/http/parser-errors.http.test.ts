import { STATUS_CODES, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { createApp } from '../../src/app';
import { createServer } from '../../src/http/server';
import { testAppOptions } from '../support/api';
import { describeEachStore } from '../support/each-store';

/** What helmet sets on every answer (test/security-headers.test.ts checks their values). */
const helmetHeaderNames = [
  'content-security-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
];

/** Longer than any answer takes here, shorter than the test timeout: silence is a failure, not a hang. */
const silenceMs = 10_000;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

describeEachStore('HTTP parser errors', (context) => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // Short timeouts, so that the 408s come quickly; every other request here arrives in one write.
    server = createServer(createApp(context.store, testAppOptions), { headersTimeout: 500, requestTimeout: 1_000, connectionsCheckingInterval: 100 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Writes `bytes` on a new connection and reads until the server closes it. */
  const exchange = (bytes: string | Buffer): Promise<string> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('error', () => {}); // a reset after the answer still ends the exchange; what arrived is judged
      socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
      socket.setTimeout(silenceMs, () => {
        socket.destroy();
        reject(new Error(`the server neither answered nor closed within ${silenceMs} ms`));
      });
      socket.write(bytes);
    });

  const parse = (raw: string): RawResponse => {
    const end = raw.indexOf('\r\n\r\n');
    expect(end).toBeGreaterThan(0);
    const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4) };
  };

  /** Helmet's headers, as the app sets them on its own answers. */
  let securityHeaders: Record<string, string>;
  beforeAll(async () => {
    const { headers } = parse(await exchange('GET /users HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    securityHeaders = Object.fromEntries(helmetHeaderNames.map((name) => [name, headers[name]]));
    expect(Object.values(securityHeaders)).not.toContain(undefined);
  });

  /** One problem document, with the security headers of every answer, then the connection closed: nothing else on the wire. */
  const expectProblem = (raw: string, status: number, detail: RegExp) => {
    const response = parse(raw);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.headers.connection).toBe('close');
    expect(response.headers).toMatchObject(securityHeaders);
    expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body, 'latin1'));
    expect(JSON.parse(response.body)).toEqual({ type: 'about:blank', title: STATUS_CODES[status], status, detail: expect.stringMatching(detail) });
    return response;
  };

  const expectStillServing = async () => {
    const response = parse(await exchange('GET /users HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ items: [], nextCursor: null });
  };

  const post = (headers: string, body = '') => `POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${headers}\r\n${body}`;

  it.each([
    ['a request target over 16 KB', `GET /users?${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: localhost\r\n\r\n`, 431, /larger than 16 KB/],
    ['a byte outside ASCII in the target', Buffer.from('GET /users/caf\xe9 HTTP/1.1\r\nHost: localhost\r\n\r\n', 'latin1'), 400, /target/],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n', 400, /request line/],
    ['an unknown HTTP version', 'GET /users HTTP/1.7\r\nHost: localhost\r\n\r\n', 400, /request line/],
    ['a header without a colon', 'GET /users HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n', 400, /header/],
    ['a header line ended by LF alone', 'GET /users HTTP/1.1\r\nHost: localhost\nAccept: */*\r\n\r\n', 400, /CRLF/],
    ['Content-Length and Transfer-Encoding', post('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), 400, /Transfer-Encoding/],
    ['Transfer-Encoding then Content-Length', post('Transfer-Encoding: chunked\r\nContent-Length: 5\r\n', '0\r\n\r\n'), 400, /Content-Length/],
    ['a Content-Length that is not a number', post('Content-Length: 1e3\r\n', '{}'), 400, /Content-Length/],
    ['a negative Content-Length', post('Content-Length: -1\r\n', '{}'), 400, /Content-Length/],
    ['two Content-Lengths', post('Content-Length: 2\r\nContent-Length: 2\r\n', '{}'), 400, /Content-Length/],
    ['a Transfer-Encoding that does not end with chunked', post('Transfer-Encoding: chunked, gzip\r\n', '0\r\n\r\n'), 400, /Transfer-Encoding/],
    ['a chunk size that is not hexadecimal', post('Transfer-Encoding: chunked\r\n', 'zz\r\n{}\r\n0\r\n\r\n'), 400, /chunked body/],
    ['chunk extensions over 16 KB', post('Transfer-Encoding: chunked\r\n', `2;${'x'.repeat(20 * 1024)}\r\n{}\r\n0\r\n\r\n`), 413, /chunk extensions/],
  ])('when a request has %s, then a problem with that status, the connection closes, and the next request is served', async (_case, bytes, status, detail) => {
    expectProblem(await exchange(bytes), status, detail);
    await expectStillServing();
  });

  it('when the headers do not all arrive in time, then 408 and the connection closes', async () => {
    expectProblem(await exchange('GET /users HTTP/1.1\r\nHost: localhost\r\n'), 408, /in time/);
    await expectStillServing();
  });

  it('when the body does not all arrive in time, then 408, the connection closes, and no user is stored', async () => {
    expectProblem(await exchange(post('Content-Length: 100\r\n', '{"email":')), 408, /in time/);
    await expectStillServing();
  });

  it('when an HTTP/1.1 request has no Host, then 400 names the header and the connection closes', async () => {
    expectProblem(await exchange('GET /users HTTP/1.1\r\n\r\n'), 400, /Host/);
    await expectStillServing();
  });

  it('when Expect is not 100-continue, then 417 and the connection closes', async () => {
    expectProblem(await exchange(post('Expect: magic\r\nContent-Length: 2\r\n', '{}')), 417, /Expect/);
    await expectStillServing();
  });

  it.each([
    ['host:port', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'],
    ['an IPv6 address and port, over HTTP/1.0', 'CONNECT [::1]:22 HTTP/1.0\r\n\r\n'],
    ['host:port and bytes for the tunnel', 'CONNECT 127.0.0.1:5432 HTTP/1.1\r\nHost: 127.0.0.1:5432\r\n\r\nGET /users HTTP/1.1\r\nHost: localhost\r\n\r\n'],
  ])('when CONNECT names %s, then 405 with an empty Allow, and the connection closes', async (_case, bytes) => {
    const response = expectProblem(await exchange(bytes), 405, /not a proxy/);
    expect(response.headers.allow).toBe('');
    await expectStillServing();
  });

  it.each([
    ['a path', 'CONNECT /posts HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['*', 'CONNECT * HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['an absolute URL', 'CONNECT http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n'],
  ])('when CONNECT names %s, then 400 and the connection closes', async (_case, bytes) => {
    expectProblem(await exchange(bytes), 400, /host:port/);
    await expectStillServing();
  });

  it('when CONNECT follows a request on the same connection, then that request is answered first, then the 405', async () => {
    const raw = await exchange('GET /users HTTP/1.1\r\nHost: localhost\r\n\r\nCONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    const first = parse(raw);
    const length = Number(first.headers['content-length']);
    expect(JSON.parse(first.body.slice(0, length))).toMatchObject({ items: [], nextCursor: null });
    expectProblem(first.body.slice(length), 405, /not a proxy/);
  });

  it('when a malformed request follows one still being answered, then nothing is written in front of that answer and the connection closes', async () => {
    const raw = await exchange('GET /users HTTP/1.1\r\nHost: localhost\r\n\r\nHELLO\r\n\r\n');
    // Either the connection closes at once, or the first answer is the one to GET /users.
    expect(raw === '' || raw.startsWith('HTTP/1.1 200 ')).toBe(true);
    await expectStillServing();
  });
});
