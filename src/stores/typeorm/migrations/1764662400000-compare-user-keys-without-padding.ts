import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * MariaDB's `utf8mb4_bin` pads: `'ada@example.com   '` equals `'ada@example.com'`
 * there, and nowhere else. The unique keys of users compare without padding,
 * as the other stores do (`posts.title` already does). Keys stored so far
 * could not differ by trailing spaces alone, so none conflicts once changed.
 */
export class CompareUserKeysWithoutPadding1764662400000 implements MigrationInterface {
  name = 'CompareUserKeysWithoutPadding1764662400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (dialectOf(queryRunner.connection.options) !== 'mysql') return;
    await queryRunner.query(
      'ALTER TABLE `users` MODIFY `email_key` varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL, ' +
        'MODIFY `username_key` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (dialectOf(queryRunner.connection.options) !== 'mysql') return;
    await queryRunner.query(
      'ALTER TABLE `users` MODIFY `email_key` varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL, ' +
        'MODIFY `username_key` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
    );
  }
}
