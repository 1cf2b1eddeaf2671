/** Every setting the service reads, with its default. */
export const settings = {
  DATABASE_URL: 'sqlite:./data/dualstore.sqlite',
  DATABASE_CONNECT_TIMEOUT_MS: '5000',
  HOST: '127.0.0.1',
  PORT: '3000',
  LOG_LEVEL: 'info',
  TOKEN_TTL_SECONDS: '3600',
  PASSWORD_HASH_COST: '17',
  LOGIN_RATE_LIMIT: '10',
  LOGIN_EMAIL_RATE_LIMIT: '100',
  LOGIN_RATE_WINDOW_SECONDS: '900',
  SIGNUP_RATE_LIMIT: '20',
  SIGNUP_RATE_WINDOW_SECONDS: '3600',
  TRUST_PROXY_HOPS: '0',
} as const;

export type SettingName = keyof typeof settings;

export type StoreKind = 'sqlite' | 'postgres' | 'mysql' | 'mongodb';

export interface DatabaseConfig {
  kind: StoreKind;
  url: string;
  connectTimeoutMs: number;
}

export interface AuthConfig {
  tokenTtlSeconds: number;
  passwordHashCost: number;
  /** Login attempts allowed per client address, and failed ones per email from one address, in one window. */
  loginRateLimit: number;
  /** Failed logins allowed per email from all addresses together in one window. */
  loginEmailRateLimit: number;
  loginRateWindowSeconds: number;
  /** Sign-ups allowed per client address in one window. */
  signUpRateLimit: number;
  signUpRateWindowSeconds: number;
}

export interface Config {
  database: DatabaseConfig;
  host: string;
  port: number;
  logLevel: string;
  auth: AuthConfig;
  /** How many reverse proxies in front of the service may set X-Forwarded-For. */
  trustProxyHops: number;
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

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = (name: SettingName): string => {
    const value = env[name];
    return value === undefined || value === '' ? settings[name] : value;
  };

  const whole = (name: SettingName, min: number, max: number): number => {
    const value = read(name);
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not '${value}'`);
    }
    return n;
  };

  const logLevel = read('LOG_LEVEL');
  if (!logLevels.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}, not '${logLevel}'`);
  }

  const loginRateLimit = whole('LOGIN_RATE_LIMIT', 1, 1_000_000);
  const loginEmailRateLimit = whole('LOGIN_EMAIL_RATE_LIMIT', 1, 1_000_000);
  // Lower, and one address could lock an account out again.
  if (loginEmailRateLimit < loginRateLimit) {
    throw new ConfigError(`LOGIN_EMAIL_RATE_LIMIT must be at least LOGIN_RATE_LIMIT (${loginRateLimit}), not '${loginEmailRateLimit}'`);
  }

  return {
    database: databaseConfig(read('DATABASE_URL'), whole('DATABASE_CONNECT_TIMEOUT_MS', 1, 600_000)),
    host: read('HOST'),
    port: whole('PORT', 0, 65_535),
    logLevel,
    auth: {
      tokenTtlSeconds: whole('TOKEN_TTL_SECONDS', 60, 30 * 86_400),
      passwordHashCost: whole('PASSWORD_HASH_COST', 10, 20),
      loginRateLimit,
      loginEmailRateLimit,
      loginRateWindowSeconds: whole('LOGIN_RATE_WINDOW_SECONDS', 1, 86_400),
      signUpRateLimit: whole('SIGNUP_RATE_LIMIT', 1, 1_000_000),
      signUpRateWindowSeconds: whole('SIGNUP_RATE_WINDOW_SECONDS', 1, 86_400),
    },
    trustProxyHops: whole('TRUST_PROXY_HOPS', 0, 10),
  };
}

export function databaseConfig(url: string, connectTimeoutMs = Number(settings.DATABASE_CONNECT_TIMEOUT_MS)): DatabaseConfig {
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
  return { kind, url, connectTimeoutMs };
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
