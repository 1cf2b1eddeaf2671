import { ConfigError, databaseConfig, loadConfig, serverAddress } from '../src/config';

describe('configuration', () => {
  it('when nothing is set, then the service uses SQLite in ./data on 127.0.0.1:3000', () => {
    expect(loadConfig({})).toMatchObject({
      database: { kind: 'sqlite', url: 'sqlite:./data/dualstore.sqlite' },
      host: '127.0.0.1',
      port: 3000,
      auth: { passwordHashCost: 17, tokenTtlSeconds: 3600 },
    });
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
