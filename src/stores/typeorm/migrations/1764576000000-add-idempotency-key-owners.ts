import { type MigrationInterface, type QueryRunner, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * A kept answer names the user it belongs to (the post's author, the user a
 * sign-up made), so that deleting the user deletes it, through the same
 * ON DELETE CASCADE as their posts and sessions. Keys kept before have no
 * owner and expire as they were going to.
 */
export class AddIdempotencyKeyOwners1764576000000 implements MigrationInterface {
  name = 'AddIdempotencyKeyOwners1764576000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('idempotency_keys', new TableColumn({ name: 'user_id', type: 'integer', isNullable: true }));
    // The index first: MariaDB would otherwise make one of its own for the foreign key.
    await queryRunner.createIndex('idempotency_keys', new TableIndex({ name: 'IDX_idempotency_keys_user', columnNames: ['user_id'] }));
    await queryRunner.createForeignKey(
      'idempotency_keys',
      new TableForeignKey({
        name: 'FK_idempotency_keys_user',
        columnNames: ['user_id'],
        referencedTableName: 'users',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropForeignKey('idempotency_keys', 'FK_idempotency_keys_user');
    await queryRunner.dropIndex('idempotency_keys', 'IDX_idempotency_keys_user');
    await queryRunner.dropColumn('idempotency_keys', 'user_id');
  }
}
