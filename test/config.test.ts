import { ConfigError, databaseConfig, loadConfig, serverAddress } from '../src/config';

describe('configuration', () => {
  it('when nothing is set, then the service uses SQLite in ./data on 127.0.0.1:3000', () => {
    expect(loadConfig({})).toMatchObject({
      database: { kind: 'sqlite', url: 'sqlite:./data/dualstore.sqlite' },
      host: '127.0.0.1',
      port: 3000,
      auth: { passwordHashCost: 17, tokenTtlSeconds: 3600, loginRateLimit: 10, loginEmailRateLimit: 100, loginRateWindowSeconds: 900 },
    });
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
