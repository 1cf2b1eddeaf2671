import 'reflect-metadata';
import { pino } from 'pino';
import { appOptions, createApp } from './app';
import { loadConfig } from './config';
import { Metrics } from './http/metrics';
import { createServer, stopServer } from './http/server';
import { openStore } from './stores/open-store';

async function main(): Promise<void> {
  const config = loadConfig();
  // The request log redacts credentials itself (request-log.ts); no other line carries a request's headers.
  const logger = pino({ level: config.logLevel });
  // ioredis is loaded only when counters are shared.
  const shared = config.redisUrl === undefined ? undefined : await import('./http/redis-counters');
  const redis = shared && (await shared.openRedis(config.redisUrl!, logger));
  const counters = shared && redis && shared.redisCounters(redis, logger);
  const metrics = new Metrics();
  const store = await openStore(config.database, metrics.storeTimer(config.database.kind));
  // Serving half a copy would show records as missing, and ids the service issued would collide with the copy's.
  const copy = await store.transfer.progress();
  if (copy !== null && !copy.finished) {
    await store.close();
    stop(`the database is the target of an unfinished copy from ${copy.source}: run that npm run copy again to finish it, then start`);
  }
  for (const warning of store.warnings) logger.warn({ store: config.database.kind }, warning);
  const stopping = new AbortController();
  const app = createApp(store, appOptions(config, { counters, logger, metrics, stopping: stopping.signal }));
  const server = createServer(app).listen(config.port, config.host, () => {
    logger.info({ store: config.database.kind, address: server.address() }, 'listening');
  });
  server.on('error', (error) => stop(`cannot listen on ${config.host}:${config.port}: ${error.message}`));

  // Readiness fails first (a probe may still come on an open connection), then no connection is accepted,
  // the requests in flight are answered within the grace period, and the store closes.
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.info({ signal, graceSeconds: config.shutdownGraceSeconds }, 'shutting down');
    stopping.abort();
    const cut = await stopServer(server, config.shutdownGraceSeconds * 1000);
    if (cut > 0) logger.warn({ connections: cut }, 'cut connections whose requests had not finished within the grace period');
    await store.close();
    // No command is left to wait for, and a polite QUIT would fail while Redis is down.
    redis?.disconnect();
    logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal).catch((error: unknown) => stop(`could not stop cleanly: ${String(error)}`)));
  }
}

/** Start-up problems are the operator's: one line, no stack. */
function stop(message: string): never {
  process.stderr.write(`dualstore: ${message}\n`);
  process.exit(1);
}

// ConfigError, StoreOpenError and openRedis messages are written for this line; anything else is cut to its first.
main().catch((error: unknown) => stop(error instanceof Error ? error.message.split('\n')[0] : String(error)));
