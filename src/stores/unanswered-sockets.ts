import type { Socket } from 'node:net';

/**
 * Gives up a connection whose server has stopped answering: once bytes are sent and nothing at all has come
 * back for `ms`, the socket is destroyed with ETIMEDOUT, which the driver reports as a lost connection (the
 * request answers 503) and its pool replaces. A server that stops, or a network that drops packets without a
 * reset, would otherwise hold the statement, its connection and whatever waits for them for ever: the server's
 * own statement timeout cannot end a statement whose answer cannot reach the client.
 *
 * `ms` must exceed the server's statement timeout, so that a statement the server ends answers first. Only
 * the wait for the first byte of an answer is bounded. Over TLS the driver writes to a socket of its own on top
 * of this one, and the bound does not apply.
 */
export function givenUpWhenUnanswered<S extends Socket>(socket: S, ms: number): S {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = () => socket.destroy(Object.assign(new Error(`the store sent no answer within ${ms} ms`), { code: 'ETIMEDOUT' }));
  const answered = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  // Node puts back the prototype's write whenever a socket connects: it is wrapped again then, before the
  // driver's own 'connect' listener sends its first bytes.
  const write = socket.write;
  const watched = function (this: S, ...args: Parameters<Socket['write']>) {
    // The socket keeps the process alive while it is open; the timer never does on its own.
    timer ??= setTimeout(giveUp, ms).unref();
    return write.apply(this, args);
  } as S['write'];
  const watchWrites = () => {
    socket.write = watched;
  };
  watchWrites();
  socket.on('connect', watchWrites);
  socket.on('data', answered);
  socket.on('close', answered);
  return socket;
}
