import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Posts are listed by publication date, creation time or title, each with the
 * id last, overall and per author; each order gets an index. Titles sort by
 * code point: PostgreSQL's default collation follows the locale and MariaDB's
 * ignores case, so PostgreSQL indexes `title COLLATE "C"` (the queries say the
 * same) and MariaDB's title column becomes `utf8mb4_nopad_bin` (utf8mb4_bin
 * would still ignore trailing spaces).
 */
export class AddListOrders1764403200000 implements MigrationInterface {
  name = 'AddListOrders1764403200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    if (dialect === 'mysql') {
      await queryRunner.query('ALTER TABLE `posts` MODIFY `title` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NOT NULL');
    }
    const title = dialect === 'postgres' ? 'title COLLATE "C"' : 'title';
    for (const [name, columns] of [
      ['IDX_posts_created', 'created_at, id'],
      ['IDX_posts_author_created', 'author_id, created_at, id'],
      ['IDX_posts_title', `${title}, id`],
      ['IDX_posts_author_title', `author_id, ${title}, id`],
    ]) {
      await queryRunner.query(`CREATE INDEX ${name} ON posts (${columns})`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    for (const name of ['IDX_posts_created', 'IDX_posts_author_created', 'IDX_posts_title', 'IDX_posts_author_title']) {
      await queryRunner.query(dialect === 'mysql' ? `DROP INDEX ${name} ON posts` : `DROP INDEX ${name}`);
    }
    if (dialect === 'mysql') {
      await queryRunner.query('ALTER TABLE `posts` MODIFY `title` varchar(255) CHARACTER SET utf8mb4 NOT NULL');
    }
  }
}
