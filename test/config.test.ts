import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, databaseConfig, loadConfig, serverAddress, settings } from '../src/config';

const root = resolve(__dirname, '..');

describe('configuration', () => {
  it('when nothing is set, then the service uses SQLite in ./data on 127.0.0.1:3000', () => {
    expect(loadConfig({})).toMatchObject({
      database: { kind: 'sqlite', url: 'sqlite:./data/dualstore.sqlite' },
      host: '127.0.0.1',
      port: 3000,
      auth: { passwordHashCost: 17, tokenTtlSeconds: 3600, loginRateLimit: 10, loginEmailRateLimit: 100, loginRateWindowSeconds: 900 },
      corsOrigins: [],
    });
    expect(loadConfig({}).redisUrl).toBeUndefined();
  });

  it('when SERVER_TIMING or LOG_LEVEL=debug is set, then each request\'s store operations are recorded; by default they are not', () => {
    expect(loadConfig({})).toMatchObject({ serverTiming: false, database: { captureOperations: false } });
    expect(loadConfig({ SERVER_TIMING: 'true' })).toMatchObject({ serverTiming: true, database: { captureOperations: true } });
    expect(loadConfig({ LOG_LEVEL: 'debug' })).toMatchObject({ serverTiming: false, database: { captureOperations: true } });
    expect(() => loadConfig({ SERVER_TIMING: 'yes' })).toThrow(new ConfigError("SERVER_TIMING must be true or false, not 'yes'"));
  });

  it('when a variable is set to the empty string, then it is unset: its default holds', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '', CORS_ORIGINS: '' })).toMatchObject({ port: 3000, redisUrl: undefined, corsOrigins: [] });
  });

  it.each(['redis://127.0.0.1:6379', 'redis://:secret@cache:6380/2', 'rediss://user:secret@cache.example.com'])('when REDIS_URL is %s, then the counters go there', (url) => {
    expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
  });

  it.each([
    ['http://cache:6379', 'http://cache:6379'],
    ['cache:6379', 'cache:6379'],
    ['redis://', 'redis://'],
    ['redis://:s3cret@', 'redis://:***@'],
  ])('when REDIS_URL is %p, then it is refused in one line naming it, with no password', (url, shown) => {
    expect(() => loadConfig({ REDIS_URL: url })).toThrow(new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL naming a host, not '${shown}'`));
  });

  it('when CORS_ORIGINS lists origins, then exactly those are allowed, spaces around commas aside', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it.each(['*', 'https://app.example.com/', 'https://app.example.com/path', 'app.example.com', 'https://App.example.com', 'https://a.example.com,,https://b.example.com', 'null'])(
    'when CORS_ORIGINS is %p, then it is refused: only exact origins',
    (value) => {
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(
        new ConfigError(`CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.com (no path, no *), not '${value}'`),
      );
    },
  );

  it('when .env.example is read, then it sets every variable the config reads, to its default, each under a comment, and nothing else', () => {
    const lines = readFileSync(resolve(root, '.env.example'), 'utf8').split('\n');
    const assignments = lines.flatMap((line, n) => (/^[A-Z_]+=/.test(line) ? [{ line, comment: lines[n - 1] }] : []));
    expect(Object.fromEntries(assignments.map(({ line }) => line.split(/=(.*)/s).slice(0, 2)))).toEqual(settings);
    for (const { comment } of assignments) expect(comment).toMatch(/^# \S/);
    expect(loadConfig(Object.fromEntries(assignments.map(({ line }) => line.split(/=(.*)/s).slice(0, 2))))).toEqual(loadConfig({}));
  });

  it("when the Configuration table of docs/operations.md is read, then it lists every variable the config reads, with its default", () => {
    const doc = readFileSync(resolve(root, 'docs/operations.md'), 'utf8');
    const table = /## Configuration\n[\s\S]*?\n((?:\|.*\n)+)/.exec(doc)?.[1] ?? '';
    const rows = [...table.matchAll(/^\| `([A-Z_]+)` \| ([^|]*) \|/gm)].map(([, name, value]) => [name, value.trim().replace(/^`(.*)`$/, '$1')]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(settings).map(([name, value]) => [name, value || expect.any(String)])));
  });

  it('when LOGIN_EMAIL_RATE_LIMIT is set, then it is the ceiling of failed logins per email', () => {
    expect(loadConfig({ LOGIN_RATE_LIMIT: '5', LOGIN_EMAIL_RATE_LIMIT: '5' }).auth).toMatchObject({ loginRateLimit: 5, loginEmailRateLimit: 5 });
    expect(loadConfig({ LOGIN_EMAIL_RATE_LIMIT: '250' }).auth).toMatchObject({ loginRateLimit: 10, loginEmailRateLimit: 250 });
  });

  it.each(['0', 'many', '1.5', '-1', '1e3', '1000001'])('when LOGIN_EMAIL_RATE_LIMIT is %p, then it is refused in one line naming it', (value) => {
    expect(() => loadConfig({ LOGIN_EMAIL_RATE_LIMIT: value })).toThrow(
      new ConfigError(`LOGIN_EMAIL_RATE_LIMIT must be a whole number from 1 to 1000000, not '${value}'`),
    );
  });

  it('when LOGIN_EMAIL_RATE_LIMIT is below LOGIN_RATE_LIMIT, then it is refused: one address could lock an account out', () => {
    expect(() => loadConfig({ LOGIN_RATE_LIMIT: '10', LOGIN_EMAIL_RATE_LIMIT: '9' })).toThrow(
      new ConfigError("LOGIN_EMAIL_RATE_LIMIT must be at least LOGIN_RATE_LIMIT (10), not '9'"),
    );
    expect(() => loadConfig({ LOGIN_RATE_LIMIT: '200' })).toThrow(new ConfigError("LOGIN_EMAIL_RATE_LIMIT must be at least LOGIN_RATE_LIMIT (200), not '100'"));
  });

  it.each([
    ['sqlite:./blog.sqlite', 'sqlite'],
    ['sqlite::memory:', 'sqlite'],
    ['postgres://u:p@db:5432/blog', 'postgres'],
    ['postgresql://db/blog', 'postgres'],
    ['mysql://root@db:3306/blog', 'mysql'],
    ['mariadb://root@db/blog', 'mysql'],
    ['mongodb://db:27017/blog', 'mongodb'],
    ['mongodb://u:p@h1:27017,h2:27017/blog?replicaSet=rs0', 'mongodb'],
    ['mongodb+srv://cluster.example.com/blog', 'mongodb'],
  ])('when DATABASE_URL is %s, then the store is %s', (url, kind) => {
    expect(databaseConfig(url).kind).toBe(kind);
  });

  it.each(['sqlite:', 'postgres://', 'mongodb://', 'redis://db', 'db:5432/blog', ''])('when DATABASE_URL is %p, then it is refused', (url) => {
    expect(() => databaseConfig(url)).toThrow(ConfigError);
  });

  it('when an address is shown, then it has no credentials or options', () => {
    expect(serverAddress('mongodb://u:secret@h1:27017,h2:27017/blog?replicaSet=rs0')).toBe('h1:27017,h2:27017/blog');
    expect(serverAddress('postgres://u:secret@db:5432/blog')).toBe('db:5432/blog');
  });
});
