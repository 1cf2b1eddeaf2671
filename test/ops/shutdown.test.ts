import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { databaseConfig } from '../../src/config';
import { openStore } from '../../src/stores/open-store';
import { aSignUp } from '../support/factories';

const root = resolve(__dirname, '../..');
const main = join(root, 'dist/src/main.js');
/** Attempts at a new connection while waiting for the listener to close; they come 20 ms apart. */
const maxConnectAttempts = 500;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * One HTTP/1.1 exchange over a socket of its own, written by hand so that a test can hold a request
 * half-sent. `continued` resolves on the server's 100 Continue (it has read the request's head);
 * `response` on the final answer.
 */
class RawExchange {
  readonly socket: Socket;
  readonly connected: Promise<void>;
  readonly continued: Promise<void>;
  readonly response: Promise<RawResponse>;
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.connected = new Promise((done) => this.socket.once('connect', () => done()));
    let received = Buffer.alloc(0);
    let onContinue: () => void;
    this.continued = new Promise((done) => {
      onContinue = done;
    });
    this.closed = new Promise((done) => this.socket.once('close', () => done()));
    this.response = new Promise((done, fail) => {
      this.socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        for (;;) {
          const end = received.indexOf('\r\n\r\n');
          if (end < 0) return;
          const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
          const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)?.[1]);
          if (status === 100) {
            onContinue();
            received = received.subarray(end + 4);
            continue;
          }
          const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
          const length = Number(headers['content-length']);
          if (received.length < end + 4 + length) return;
          done({ status, headers, body: JSON.parse(received.subarray(end + 4, end + 4 + length).toString('utf8')) });
          return;
        }
      });
      this.socket.once('error', fail);
      this.socket.once('close', () => fail(new Error('the connection closed before a response came')));
    });
    this.response.catch(() => undefined); // awaited by the test, which reports it
  }

  write(text: string): void {
    this.socket.write(text);
  }
}

/** A sign-up whose head goes now, asking to be told to go on; the body follows once the server has read the head. */
function signUpHead(body: string): string {
  return [
    'POST /users HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Expect: 100-continue',
    '',
    '',
  ].join('\r\n');
}

interface Service {
  child: ChildProcessWithoutNullStreams;
  port: number;
  databaseUrl: string;
  exited: Promise<number | null>;
  logs(): Record<string, unknown>[];
}

/** The built service on a free port and a new SQLite file, as `npm start` runs it. */
async function serve(folder: string, env: Record<string, string>): Promise<Service> {
  const databaseUrl = `sqlite:${join(folder, 'blog.sqlite')}`;
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'info', ...env },
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const port = await new Promise<number>((done, fail) => {
    child.stdout.on('data', () => {
      const match = /"address":\{"address":"[^"]+","family":"[^"]+","port":(\d+)\}/.exec(output);
      if (match) done(Number(match[1]));
    });
    void exited.then((code) => fail(new Error(`exited with ${code}: ${output}`)));
  });
  const logs = () => output.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, port, databaseUrl, exited, logs };
}

/**
 * Resolves once a new connection to `port` is refused; connections made before that are closed at once.
 * A connection the kernel queued just before the listener closed is reset rather than refused: it too
 * came before the close, so the wait goes on.
 */
async function refused(port: number): Promise<NodeJS.ErrnoException> {
  for (let attempt = 0; attempt < maxConnectAttempts; attempt += 1) {
    const error = await new Promise<NodeJS.ErrnoException | null>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(null);
      });
      socket.once('error', done);
    });
    if (error && error.code !== 'ECONNRESET') return error;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`port ${port} still took connections after ${maxConnectAttempts} attempts`);
}

describe('graceful shutdown', () => {
  let folder: string;
  let service: Service | undefined;

  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')]);
  }, 120_000);

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'dualstore-shutdown-'));
  });

  afterEach(async () => {
    if (service && service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await service?.exited;
    rmSync(folder, { recursive: true, force: true });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'when %s comes with requests in flight, then readiness fails, new connections are refused, each request gets its answer, and it exits 0',
    async (signal) => {
      // scrypt at cost 17 takes most of a second per sign-up: long enough to still be hashing when the signal comes.
      service = await serve(folder, { PASSWORD_HASH_COST: '17' });
      const { port } = service;

      // A probe whose head is only half sent when the signal comes. Sent first, so that the round trips
      // below, on connections made after it, show that the server has read it: a connection the server
      // has read nothing from is idle, and closed at once by a stop.
      const probe = new RawExchange(port);
      await probe.connected;
      probe.write('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      // Sign-ups whose heads the server has read and whose bodies are on their way.
      const hashing = [aSignUp(), aSignUp()].map((signUp) => ({ signUp, exchange: new RawExchange(port) }));
      for (const { signUp, exchange } of hashing) exchange.write(signUpHead(JSON.stringify(signUp)));
      await Promise.all(hashing.map(({ exchange }) => exchange.continued));
      for (const { signUp, exchange } of hashing) exchange.write(JSON.stringify(signUp));
      // A sign-up whose body is only half uploaded when the signal comes.
      const uploaded = aSignUp();
      const uploadBody = JSON.stringify(uploaded);
      const upload = new RawExchange(port);
      upload.write(signUpHead(uploadBody));
      await upload.continued;
      upload.write(uploadBody.slice(0, 20));

      service.child.kill(signal);
      expect((await refused(port)).code).toBe('ECONNREFUSED');
      probe.write('\r\n');
      upload.write(uploadBody.slice(20));

      const ready = await probe.response;
      expect(ready.status).toBe(503);
      expect(ready.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(ready.body).toEqual({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'the service is shutting down' });
      for (const [exchange, signUp] of [...hashing.map((h) => [h.exchange, h.signUp] as const), [upload, uploaded] as const]) {
        const response = await exchange.response;
        expect(response.status).toBe(201);
        expect(response.body).toEqual(expect.objectContaining({ email: signUp.email, username: signUp.username }));
        expect(response.headers.connection).toBe('close');
        await exchange.closed;
      }
      expect(await service.exited).toBe(0);

      const messages = service.logs().map((entry) => String(entry.msg));
      expect(messages.filter((msg) => !msg.startsWith('request '))).toEqual(['listening', 'shutting down', 'stopped']);
      expect(service.logs().find((entry) => entry.msg === 'shutting down')).toEqual(expect.objectContaining({ signal, graceSeconds: 10 }));
      // The store stayed open until the last request was answered: every acknowledged sign-up is in it.
      const store = await openStore(databaseConfig(service.databaseUrl));
      try {
        expect(await store.users.count()).toBe(3);
      } finally {
        await store.close();
      }
    },
    60_000,
  );

  it('when a request is still unfinished at the end of the grace period, then its connection is cut and the service exits 0 all the same', async () => {
    service = await serve(folder, { PASSWORD_HASH_COST: '10', SHUTDOWN_GRACE_SECONDS: '1' });
    const stuck = new RawExchange(service.port);
    const body = JSON.stringify(aSignUp());
    stuck.write(signUpHead(body));
    await stuck.continued;
    stuck.write(body.slice(0, 10)); // and never the rest

    service.child.kill('SIGTERM');

    await expect(stuck.response).rejects.toThrow('the connection closed before a response came');
    expect(await service.exited).toBe(0);
    expect(service.logs().find((entry) => String(entry.msg).startsWith('cut connections'))).toEqual(expect.objectContaining({ connections: 1, level: 40 }));
  }, 60_000);
});
