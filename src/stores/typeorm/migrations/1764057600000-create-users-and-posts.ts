import { type MigrationInterface, type QueryRunner, Table, type TableColumnOptions } from 'typeorm';
import { dialectOf } from '../dialect';

export class CreateUsersAndPosts1764057600000 implements MigrationInterface {
  name = 'CreateUsersAndPosts1764057600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    // Types are spelt out here rather than shared with the entities, so that
    // this migration stays what it was when applied.
    const timestampType = dialect === 'postgres' ? 'timestamptz' : 'datetime'; // MariaDB: datetime(3) keeps milliseconds
    const contentType = dialect === 'mysql' ? 'mediumtext' : 'text'; // MariaDB's text stops at 64 KiB
    // MariaDB's default collation ignores case, accents and trailing spaces;
    // the unique keys are already lower-cased, so they compare byte for byte.
    const mysqlText = dialect === 'mysql' ? { charset: 'utf8mb4' } : {};
    const mysqlKey = dialect === 'mysql' ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
    const varchar = (name: string, length: number, extra = mysqlText): TableColumnOptions => ({ name, type: 'varchar', length: String(length), ...extra });
    const timestamp = (name: string): TableColumnOptions => ({ name, type: timestampType, precision: 3 });

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          varchar('email', 254),
          varchar('email_key', 254, mysqlKey),
          varchar('username', 32),
          varchar('username_key', 32, mysqlKey),
          varchar('display_name', 100),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          { name: 'UQ_users_email_key', columnNames: ['email_key'], isUnique: true },
          { name: 'UQ_users_username_key', columnNames: ['username_key'], isUnique: true },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'posts',
        columns: [
          id,
          { name: 'author_id', type: 'integer' },
          varchar('title', 255),
          { name: 'content', type: contentType, ...mysqlText },
          timestamp('publication_date'),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        foreignKeys: [
          {
            name: 'FK_posts_author',
            columnNames: ['author_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          { name: 'IDX_posts_newest', columnNames: ['publication_date', 'id'] },
          { name: 'IDX_posts_author_newest', columnNames: ['author_id', 'publication_date', 'id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('posts');
    await queryRunner.dropTable('users');
  }
}
