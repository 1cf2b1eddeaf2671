import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Posts gain a description (up to 1,000 characters, empty when none), which the Conduit API requires of an
 * article. Existing posts get an empty one. Added in place, as users' bio was.
 */
export class AddPostDescriptions1765180800000 implements MigrationInterface {
  name = 'AddPostDescriptions1765180800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = dialectOf(queryRunner.connection.options) === 'mysql' ? ' CHARACTER SET utf8mb4' : '';
    await queryRunner.query(`ALTER TABLE posts ADD COLUMN description varchar(1000)${text} NOT NULL DEFAULT ''`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE posts DROP COLUMN description');
  }
}
