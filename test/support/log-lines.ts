import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

/** A logger at `info` that writes each JSON line it logs into `lines`, for a test to read back. */
export function loggerInto(lines: string[]): Logger {
  return pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    }),
  );
}
