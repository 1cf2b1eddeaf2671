import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { dialectOf, timestampType } from '../dialect';

/**
 * Follows: one row per (follower, followee), the primary key, so a user
 * follows another at most once whatever the races. Both go with either user.
 * The primary key answers "does A follow these users" and A's followees for a
 * feed; the two indexes serve the lists, newest follow first, ending with the
 * other user's id so that a page is a range of the index.
 */
export class AddFollows1764921600000 implements MigrationInterface {
  name = 'AddFollows1764921600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    const user = (name: string) => ({
      name: `FK_follows_${name}`,
      columnNames: [`${name}_id`],
      referencedTableName: 'users',
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    });
    await queryRunner.createTable(
      new Table({
        name: 'follows',
        columns: [
          { name: 'follower_id', type: 'integer', isPrimary: true },
          { name: 'followee_id', type: 'integer', isPrimary: true },
          { name: 'created_at', type: timestampType(dialect), precision: 3 },
        ],
        foreignKeys: [user('follower'), user('followee')],
        indices: [
          { name: 'IDX_follows_followers', columnNames: ['followee_id', 'created_at', 'follower_id'] },
          { name: 'IDX_follows_following', columnNames: ['follower_id', 'created_at', 'followee_id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('follows');
  }
}
