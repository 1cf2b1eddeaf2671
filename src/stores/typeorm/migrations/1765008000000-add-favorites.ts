import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { dialectOf, timestampType } from '../dialect';

/**
 * Favorites: one row per (user, post), the primary key, so a user favorites a
 * post at most once whatever the races; it also answers "which of these posts
 * does the user favorite" and the favoritedBy filter. Both go with the user or
 * the post. A user's favorites, newest first, read their own index, ending
 * with the post's id so that a page is a range of it; a post's count reads the
 * index led by the post.
 */
export class AddFavorites1765008000000 implements MigrationInterface {
  name = 'AddFavorites1765008000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    const reference = (name: string, table: string) => ({
      name: `FK_favorites_${name}`,
      columnNames: [`${name}_id`],
      referencedTableName: table,
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    });
    await queryRunner.createTable(
      new Table({
        name: 'favorites',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'post_id', type: 'integer', isPrimary: true },
          { name: 'created_at', type: timestampType(dialect), precision: 3 },
        ],
        foreignKeys: [reference('user', 'users'), reference('post', 'posts')],
        indices: [
          { name: 'IDX_favorites_user_newest_first', columnNames: ['user_id', 'created_at', 'post_id'] },
          { name: 'IDX_favorites_post', columnNames: ['post_id', 'user_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('favorites');
  }
}
