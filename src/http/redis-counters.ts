import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { serverAddress } from '../config';
import { StoreUnavailableError } from '../domain/errors';
import type { RateLimitCounters } from './rate-limits';

/** How long a connection attempt or a command may take before it counts as Redis failing. */
const timeoutMs = 2_000;

/**
 * A client for the rate-limit counters that fails at once instead of queueing: while Redis is away, a request
 * that a limit counts answers 503 straight away rather than waiting for it. It reconnects on its own. Resolves once Redis
 * answers; otherwise rejects with one line naming the server and why.
 */
export async function openRedis(url: string, logger: Logger): Promise<Redis> {
  let started = false;
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // One try at start, as for the store; once serving, ioredis's own back-off, forever.
    retryStrategy: (attempt) => (started ? Math.min(attempt * 50, 2_000) : null),
  });
  // connect() only says "Connection is closed."; the error event says why.
  let failure: Error | undefined;
  const remember = (error: Error) => (failure = error);
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot reach Redis at ${serverAddress(url)}: ${(failure ?? (error as Error)).message.split('\n')[0]}`);
  }
  started = true;
  client.off('error', remember);
  client.on('error', (error) => logger.error({ err: error }, 'Redis failed: rate-limited requests answer 503 until it is back'));
  return client;
}

/**
 * Counters in Redis, shared by every instance that uses the same server and prefix, one key space per limiter.
 * Redis failing is an outage, as the store failing is: the request answers 503 and is never let through
 * uncounted, so no outage lifts the limits on password guessing, writing or costly reads.
 */
export function redisCounters(client: Redis, logger: Logger, prefix = 'dualstore:rate-limit:'): RateLimitCounters {
  return (identifier) =>
    new OutageReportingStore(
      new RedisStore({
        prefix: `${prefix}${identifier}:`,
        sendCommand: (command: string, ...args: string[]) => client.call(command, ...args) as Promise<RedisReply>,
      }),
      logger,
    );
}

class OutageReportingStore implements Store {
  constructor(
    private readonly redis: RedisStore,
    private readonly logger: Logger,
  ) {}

  init(options: Options): Promise<void> {
    return this.redis.init(options);
  }

  get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.redis.get(key).catch(unavailable);
  }

  increment(key: string): Promise<IncrementResponse> {
    return this.redis.increment(key).catch(unavailable);
  }

  /** Taking back the count of a login that succeeded: when Redis fails, the count stays, and that is all. */
  async decrement(key: string): Promise<void> {
    await this.redis.decrement(key).catch((error: unknown) => this.logger.warn({ err: error }, 'Redis failed: a successful login stays counted'));
  }

  resetKey(key: string): Promise<void> {
    return this.redis.resetKey(key).catch(unavailable);
  }
}

function unavailable(error: unknown): never {
  throw new StoreUnavailableError(error);
}
