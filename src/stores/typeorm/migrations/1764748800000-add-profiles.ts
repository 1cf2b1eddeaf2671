import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Users gain a bio (up to 1,000 characters, empty when none) and an image
 * (an absolute http(s) URL of up to 2,048 characters, or null). Lengths are
 * checked in code points before any store; `varchar` counts characters on
 * PostgreSQL and MariaDB alike. Existing users get an empty bio and no image.
 */
export class AddProfiles1764748800000 implements MigrationInterface {
  name = 'AddProfiles1764748800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = dialectOf(queryRunner.connection.options) === 'mysql' ? ' CHARACTER SET utf8mb4' : '';
    // Added in place (SQLite rebuilds a table for TypeORM's addColumn, and posts, sessions and kept answers point at users).
    await queryRunner.query(`ALTER TABLE users ADD COLUMN bio varchar(1000)${text} NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE users ADD COLUMN image varchar(2048)${text} NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users DROP COLUMN image');
    await queryRunner.query('ALTER TABLE users DROP COLUMN bio');
  }
}
