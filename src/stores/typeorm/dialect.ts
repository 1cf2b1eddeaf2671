import type { DataSourceOptions } from 'typeorm';

export type SqlDialect = 'sqlite' | 'postgres' | 'mysql';

export function dialectOf(options: DataSourceOptions): SqlDialect {
  switch (options.type) {
    case 'better-sqlite3':
      return 'sqlite';
    case 'postgres':
      return 'postgres';
    case 'mysql':
    case 'mariadb':
      return 'mysql';
    default:
      throw new Error(`unsupported TypeORM driver ${options.type}`);
  }
}

/** Millisecond timestamps in UTC: PostgreSQL keeps the zone, MariaDB needs `datetime(3)`. */
export function timestampType(dialect: SqlDialect): 'timestamptz' | 'datetime' {
  return dialect === 'postgres' ? 'timestamptz' : 'datetime';
}

/** Post content holds up to 100,000 characters: MariaDB's `text` stops at 64 KiB. */
export function longTextType(dialect: SqlDialect): 'text' | 'mediumtext' {
  return dialect === 'mysql' ? 'mediumtext' : 'text';
}
