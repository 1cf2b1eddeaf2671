import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/** Which way bytes travel through the proxy: to the server (a request) or back to the client (its answer). */
export type Direction = 'request' | 'answer';

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, which a test can cut
 * away and restore while the app keeps running against it.
 */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every live connection and resets every new one until `restore`. */
  cut(): void;
  /**
   * Cuts as `cut` does when the next bytes travel in `direction`, on any connection, and drops them: a
   * request lost on its way to the server, or a request the server ran whose answer is lost.
   */
  cutAtNext(direction: Direction): void;
  /**
   * Holds every byte in either direction, on live and new connections, as a network that has stopped carrying
   * packets would: nothing is answered and nothing is reset. `restore` delivers what was held, in order.
   */
  stall(): void;
  /** Forwards new connections again, on the same port, and delivers what a stall held. */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const live = new Set<Socket>();
  let open = true;
  let armed: Direction | undefined;
  /** While stalled, what the network holds back (bytes, ends, resets), in order. */
  let held: (() => void)[] | undefined;
  const inOrder = (event: () => void) => (held === undefined ? event() : held.push(event));
  const release = () => {
    const delivering = held ?? [];
    held = undefined;
    for (const deliver of delivering) deliver();
  };

  const cut = () => {
    open = false;
    armed = undefined;
    for (const socket of live) socket.resetAndDestroy();
  };

  /** Forwards `from`'s bytes to `to`, with pipe's back-pressure, unless they are the ones a cut waits for. */
  const forward = (from: Socket, to: Socket, direction: Direction) => {
    from.on('data', (chunk: Buffer) => {
      if (armed === direction) {
        cut();
        return;
      }
      inOrder(() => {
        if (!to.write(chunk)) from.pause();
      });
    });
    to.on('drain', () => from.resume());
    from.on('end', () => inOrder(() => to.end()));
    from.on('error', () => inOrder(() => to.destroy()));
    from.on('close', () => inOrder(() => to.destroy()));
  };

  // The listener stays bound during a cut, so the port cannot be taken by anyone else before the restore;
  // a reset on accept is what a client of a server that refuses connections sees, at once.
  const server: Server = createServer((client) => {
    if (!open) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    live.add(client);
    client.on('close', () => live.delete(client));
    forward(client, upstream, 'request');
    forward(upstream, client, 'answer');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    port: (server.address() as AddressInfo).port,
    cut,
    cutAtNext: (direction) => {
      armed = direction;
    },
    stall: () => {
      held ??= [];
    },
    restore: () => {
      open = true;
      release();
    },
    close: async () => {
      open = false;
      release();
      for (const socket of live) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
