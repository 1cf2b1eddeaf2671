import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** Users and posts count their changes; rows that exist already are at version 1. */
export class AddVersions1764230400000 implements MigrationInterface {
  name = 'AddVersions1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['users', 'posts']) {
      await queryRunner.addColumn(table, new TableColumn({ name: 'version', type: 'integer', isNullable: false, default: 1 }));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['posts', 'users']) await queryRunner.dropColumn(table, 'version');
  }
}
