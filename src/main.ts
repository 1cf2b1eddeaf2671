import 'reflect-metadata';
import { pino } from 'pino';
import { createApp } from './app';
import { loadConfig } from './config';
import { createServer } from './http/server';
import { openStore } from './stores/open-store';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] });
  const store = await openStore(config.database);
  for (const warning of store.warnings) logger.warn({ store: config.database.kind }, warning);
  const { auth } = config;
  const app = createApp(store, {
    accounts: { tokenTtlMs: auth.tokenTtlSeconds * 1000, passwordHashCost: auth.passwordHashCost },
    loginLimit: { limit: auth.loginRateLimit, emailLimit: auth.loginEmailRateLimit, windowMs: auth.loginRateWindowSeconds * 1000 },
    signUpLimit: { limit: auth.signUpRateLimit, windowMs: auth.signUpRateWindowSeconds * 1000 },
    trustProxyHops: config.trustProxyHops,
    logger,
  });
  const server = createServer(app).listen(config.port, config.host, () => {
    logger.info({ store: config.database.kind, address: server.address() }, 'listening');
  });
  server.on('error', (error) => stop(`cannot listen on ${config.host}:${config.port}: ${error.message}`));

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => void store.close().then(() => process.exit(0)));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** Start-up problems are the operator's: one line, no stack. */
function stop(message: string): never {
  process.stderr.write(`dualstore: ${message}\n`);
  process.exit(1);
}

// ConfigError and StoreOpenError messages are written for this line; anything else is cut to its first.
main().catch((error: unknown) => stop(error instanceof Error ? error.message.split('\n')[0] : String(error)));
