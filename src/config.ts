import { z } from 'zod';

/** Every setting the service reads, with its default; '' is unset. `.env.example` lists the same, and a test keeps them equal. */
export const settings = {
  DATABASE_URL: 'sqlite:./data/dualstore.sqlite',
  DATABASE_CONNECT_TIMEOUT_MS: '5000',
  STATEMENT_TIMEOUT_MS: '5000',
  HOST: '127.0.0.1',
  PORT: '3000',
  LOG_LEVEL: 'info',
  TOKEN_TTL_SECONDS: '3600',
  PASSWORD_HASH_COST: '17',
  PASSWORD_HASH_CONCURRENCY: '2',
  PASSWORD_HASH_QUEUE: '4',
  LOGIN_RATE_LIMIT: '10',
  LOGIN_EMAIL_RATE_LIMIT: '100',
  LOGIN_RATE_WINDOW_SECONDS: '900',
  SIGNUP_RATE_LIMIT: '20',
  SIGNUP_RATE_WINDOW_SECONDS: '3600',
  EXPENSIVE_READ_RATE_LIMIT: '30',
  EXPENSIVE_READ_RATE_WINDOW_SECONDS: '60',
  WRITE_RATE_LIMIT: '30',
  WRITE_RATE_WINDOW_SECONDS: '60',
  TRUST_PROXY_HOPS: '0',
  REDIS_URL: '',
  CORS_ORIGINS: '',
  METRICS_TOKEN: '',
  SERVER_TIMING: 'false',
  SHUTDOWN_GRACE_SECONDS: '10',
} as const;

export type SettingName = keyof typeof settings;

export type StoreKind = 'sqlite' | 'postgres' | 'mysql' | 'mongodb';

export interface DatabaseConfig {
  kind: StoreKind;
  url: string;
  connectTimeoutMs: number;
  /** How long one statement may run (or wait for a lock on a server) while serving; migrations at start are not bounded. */
  statementTimeoutMs: number;
  /**
   * Whether each statement or command a request sends is recorded for it (src/stores/capture.ts), for
   * Server-Timing and the debug log line. Off, no driver is wrapped and MongoDB's command monitoring is off.
   */
  captureOperations?: boolean;
  /**
   * What opening does with a schema older than the code's: `migrate` brings it up to date (the service, the
   * default); `check` refuses it (SchemaBehindError) and writes nothing; `migrate-new` brings a database that
   * has no schema at all up to date, and refuses one that has an older schema.
   */
  schema?: 'migrate' | 'check' | 'migrate-new';
}

/** The store's schema is older than the code's, and opening was not to change it. */
export class SchemaBehindError extends Error {
  constructor(pending: string) {
    super(`its schema is older than this code (${pending}): bring it up to date first (npm run migrate on SQL; on MongoDB, start the service on it once)`);
  }
}

export interface AuthConfig {
  tokenTtlSeconds: number;
  passwordHashCost: number;
  /** Password hashes allowed to run at once. */
  passwordHashConcurrency: number;
  /** Password hashes allowed to wait for a turn; one more is a 503. */
  passwordHashQueue: number;
  /** Login attempts allowed per client address, and failed ones per email from one address, in one window. */
  loginRateLimit: number;
  /** Failed logins allowed per email from all addresses together in one window. */
  loginEmailRateLimit: number;
  loginRateWindowSeconds: number;
  /** Sign-ups allowed per client address in one window. */
  signUpRateLimit: number;
  signUpRateWindowSeconds: number;
}

/** Requests allowed in one window of its length. */
export interface Limit {
  limit: number;
  windowSeconds: number;
}

export interface Config {
  database: DatabaseConfig;
  host: string;
  port: number;
  logLevel: string;
  auth: AuthConfig;
  /** Searches, totals and deep skips of the lists allowed per client address. */
  expensiveReadLimit: Limit;
  /** Writes (of posts, users, comments, follows and favorites, and password changes) allowed per signed-in user. */
  writeLimit: Limit;
  /** How many reverse proxies in front of the service may set X-Forwarded-For. */
  trustProxyHops: number;
  /** Where the counters of every rate limit live, shared by every instance; unset, each process counts in its own memory. */
  redisUrl?: string;
  /** Browser origins allowed to call the API across origins; none, and no CORS header is sent. */
  corsOrigins: string[];
  /** When set, /metrics answers only requests bearing it as their bearer token. */
  metricsToken?: string;
  /** Whether every answer carries a Server-Timing header: the store's time and operations, and the app's own time. */
  serverTiming: boolean;
  /** How long a stop waits for the requests in flight before it cuts their connections. */
  shutdownGraceSeconds: number;
}

export class ConfigError extends Error {}

const schemes: Record<string, StoreKind> = {
  'sqlite:': 'sqlite',
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
  'mongodb:': 'mongodb',
  'mongodb+srv:': 'mongodb',
};

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const whole = (min: number, max: number) =>
  z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, `must be a whole number from ${min} to ${max}`)
    .transform(Number);

/** The exact `Origin` a browser sends: scheme, host and port only, in canonical form. */
const isOrigin = (value: string) => URL.canParse(value) && new URL(value).origin === value;

const isRedisUrl = (value: string) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol) && new URL(value).hostname !== '';

/** Each rule's message completes "NAME ..., not 'value'", the one line a bad value stops the start with. */
const environment = z
  .object({
    DATABASE_URL: z.string(), // databaseConfig checks it, with messages of its own
    DATABASE_CONNECT_TIMEOUT_MS: whole(1, 600_000),
    STATEMENT_TIMEOUT_MS: whole(1, 600_000),
    HOST: z.string(),
    PORT: whole(0, 65_535),
    LOG_LEVEL: z.enum(logLevels, `must be one of ${logLevels.join(', ')}`),
    TOKEN_TTL_SECONDS: whole(60, 30 * 86_400),
    PASSWORD_HASH_COST: whole(10, 20),
    PASSWORD_HASH_CONCURRENCY: whole(1, 64),
    PASSWORD_HASH_QUEUE: whole(0, 1_000),
    LOGIN_RATE_LIMIT: whole(1, 1_000_000),
    LOGIN_EMAIL_RATE_LIMIT: whole(1, 1_000_000),
    LOGIN_RATE_WINDOW_SECONDS: whole(1, 86_400),
    SIGNUP_RATE_LIMIT: whole(1, 1_000_000),
    SIGNUP_RATE_WINDOW_SECONDS: whole(1, 86_400),
    EXPENSIVE_READ_RATE_LIMIT: whole(1, 1_000_000),
    EXPENSIVE_READ_RATE_WINDOW_SECONDS: whole(1, 86_400),
    WRITE_RATE_LIMIT: whole(1, 1_000_000),
    WRITE_RATE_WINDOW_SECONDS: whole(1, 86_400),
    TRUST_PROXY_HOPS: whole(0, 10),
    REDIS_URL: z
      .string()
      .refine((url) => url === '' || isRedisUrl(url), 'must be a redis:// or rediss:// URL naming a host')
      .transform((url) => url || undefined),
    CORS_ORIGINS: z
      .string()
      .transform((list) => (list === '' ? [] : list.split(',').map((origin) => origin.trim())))
      .refine((origins) => origins.every(isOrigin), 'must be a comma-separated list of origins such as https://app.example.com (no path, no *)'),
    // Any text is a token; no rule, so no message can echo the secret.
    METRICS_TOKEN: z.string().transform((token) => token || undefined),
    SERVER_TIMING: z.enum(['true', 'false'], 'must be true or false').transform((value) => value === 'true'),
    SHUTDOWN_GRACE_SECONDS: whole(0, 3_600),
  } satisfies Record<SettingName, z.ZodType>)
  // Lower, and one address could lock an account out again.
  .refine((env) => env.LOGIN_EMAIL_RATE_LIMIT >= env.LOGIN_RATE_LIMIT, {
    path: ['LOGIN_EMAIL_RATE_LIMIT'],
    error: (issue) => `must be at least LOGIN_RATE_LIMIT (${(issue.input as { LOGIN_RATE_LIMIT: number }).LOGIN_RATE_LIMIT})`,
  });

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const given = Object.fromEntries(
    (Object.keys(settings) as SettingName[]).map((name) => [name, env[name] || settings[name]]),
  ) as Record<SettingName, string>;
  const parsed = environment.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = issue.path[0] as SettingName;
    throw new ConfigError(`${name} ${issue.message}, not '${redact(given[name])}'`);
  }
  const values = parsed.data;
  // The debug line lists each request's operations, as Server-Timing counts them: either needs them recorded.
  const captureOperations = values.SERVER_TIMING || values.LOG_LEVEL === 'debug' || values.LOG_LEVEL === 'trace';

  return {
    database: { ...databaseConfig(values.DATABASE_URL, values.DATABASE_CONNECT_TIMEOUT_MS, values.STATEMENT_TIMEOUT_MS), captureOperations },
    host: values.HOST,
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    auth: {
      tokenTtlSeconds: values.TOKEN_TTL_SECONDS,
      passwordHashCost: values.PASSWORD_HASH_COST,
      passwordHashConcurrency: values.PASSWORD_HASH_CONCURRENCY,
      passwordHashQueue: values.PASSWORD_HASH_QUEUE,
      loginRateLimit: values.LOGIN_RATE_LIMIT,
      loginEmailRateLimit: values.LOGIN_EMAIL_RATE_LIMIT,
      loginRateWindowSeconds: values.LOGIN_RATE_WINDOW_SECONDS,
      signUpRateLimit: values.SIGNUP_RATE_LIMIT,
      signUpRateWindowSeconds: values.SIGNUP_RATE_WINDOW_SECONDS,
    },
    expensiveReadLimit: { limit: values.EXPENSIVE_READ_RATE_LIMIT, windowSeconds: values.EXPENSIVE_READ_RATE_WINDOW_SECONDS },
    writeLimit: { limit: values.WRITE_RATE_LIMIT, windowSeconds: values.WRITE_RATE_WINDOW_SECONDS },
    trustProxyHops: values.TRUST_PROXY_HOPS,
    redisUrl: values.REDIS_URL,
    corsOrigins: values.CORS_ORIGINS,
    metricsToken: values.METRICS_TOKEN,
    serverTiming: values.SERVER_TIMING,
    shutdownGraceSeconds: values.SHUTDOWN_GRACE_SECONDS,
  };
}

export function databaseConfig(
  url: string,
  connectTimeoutMs = Number(settings.DATABASE_CONNECT_TIMEOUT_MS),
  statementTimeoutMs = Number(settings.STATEMENT_TIMEOUT_MS),
): DatabaseConfig {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  if (scheme === undefined) {
    throw new ConfigError(`DATABASE_URL '${redact(url)}' has no scheme; expected sqlite:, postgres:, mysql:, mariadb: or mongodb:`);
  }
  const kind = schemes[scheme];
  if (kind === undefined) {
    throw new ConfigError(`DATABASE_URL scheme '${scheme}' is not supported; expected sqlite:, postgres:, mysql:, mariadb: or mongodb:`);
  }
  if (kind === 'sqlite') {
    if (sqlitePath(url) === '') throw new ConfigError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/dualstore.sqlite');
  } else if (kind === 'mongodb' ? !/^[^:]+:\/\/[^/?]+/.test(url) : !URL.canParse(url) || new URL(url).hostname === '') {
    // MongoDB URLs may list several hosts (h1:27017,h2:27017), which WHATWG URL parsing refuses: the driver checks the rest.
    throw new ConfigError(`DATABASE_URL '${redact(url)}' is not a valid ${kind} URL`);
  }
  return { kind, url, connectTimeoutMs, statementTimeoutMs };
}

/** `sqlite:./a.db` and `sqlite:/abs/a.db` name files; `sqlite::memory:` is an in-memory database. */
export function sqlitePath(url: string): string {
  const path = url.slice('sqlite:'.length);
  return path.startsWith('//') ? path.slice(2) : path;
}

/** The URL with any password replaced, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/** Host(s), port(s) and path of a server URL, without scheme, credentials or options: where a message says it went. */
export function serverAddress(url: string): string {
  return url.replace(/^[^:]+:\/\//, '').replace(/^[^@/]*@/, '').replace(/\?.*$/, '');
}
