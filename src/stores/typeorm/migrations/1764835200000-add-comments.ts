import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * Comments, a one-to-many relation of their own table (not a column of the post): each belongs to a post and
 * to its author, and goes with either (ON DELETE CASCADE; a user's posts take their comments along). A
 * post's comments are read oldest first by a keyset on (post_id, created_at, id); the index on author_id
 * serves the cascade from users. Content holds up to 10,000 characters: 40,000 bytes at most in UTF-8,
 * within MariaDB's `text`.
 */
export class AddComments1764835200000 implements MigrationInterface {
  name = 'AddComments1764835200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    const mysqlText = dialect === 'mysql' ? { charset: 'utf8mb4' } : {};
    const timestamp = (name: string) => ({ name, type: dialect === 'postgres' ? 'timestamptz' : 'datetime', precision: 3 });

    await queryRunner.createTable(
      new Table({
        name: 'comments',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'post_id', type: 'integer' },
          { name: 'author_id', type: 'integer' },
          { name: 'content', type: 'text', ...mysqlText },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        foreignKeys: [
          { name: 'FK_comments_post', columnNames: ['post_id'], referencedTableName: 'posts', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { name: 'FK_comments_author', columnNames: ['author_id'], referencedTableName: 'users', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
        // The first serves a post's list and the cascade from posts; the second the cascade from users.
        indices: [
          { name: 'IDX_comments_post_created', columnNames: ['post_id', 'created_at', 'id'] },
          { name: 'IDX_comments_author', columnNames: ['author_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('comments');
  }
}
