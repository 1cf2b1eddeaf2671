import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, which a test can cut
 * away and restore while the app keeps running against it.
 */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every live connection and resets every new one until `restore`. */
  cut(): void;
  /** Forwards new connections again, on the same port. */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const live = new Set<Socket>();
  let open = true;

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
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ]) {
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
      from.pipe(to);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      open = false;
      for (const socket of live) socket.resetAndDestroy();
    },
    restore: () => {
      open = true;
    },
    close: async () => {
      open = false;
      for (const socket of live) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
