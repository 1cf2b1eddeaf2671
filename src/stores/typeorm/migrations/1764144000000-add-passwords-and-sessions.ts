import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';
import { dialectOf } from '../dialect';

export class AddPasswordsAndSessions1764144000000 implements MigrationInterface {
  name = 'AddPasswordsAndSessions1764144000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    // Hashes are compared exactly, whatever MariaDB's default collation.
    const exact = dialect === 'mysql' ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    const timestamp = (name: string) => ({ name, type: dialect === 'postgres' ? 'timestamptz' : 'datetime', precision: 3 });

    // Users who signed up before accounts existed have no password and cannot log in.
    await queryRunner.addColumn('users', new TableColumn({ name: 'password_hash', type: 'varchar', length: '255', isNullable: true, ...exact }));

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true, ...exact },
          { name: 'user_id', type: 'integer' },
          timestamp('created_at'),
          timestamp('expires_at'),
        ],
        foreignKeys: [
          {
            name: 'FK_sessions_user',
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          { name: 'IDX_sessions_user', columnNames: ['user_id'] },
          { name: 'IDX_sessions_expires', columnNames: ['expires_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sessions');
    await queryRunner.dropColumn('users', 'password_hash');
  }
}
