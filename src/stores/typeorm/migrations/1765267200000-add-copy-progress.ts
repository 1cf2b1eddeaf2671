import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { dialectOf } from '../dialect';

/**
 * What a copy into this store keeps (TransferRepository): its progress, one row at most (the primary key is
 * always 1), and the ids it issued in place of those of a source of the other family, by which references of
 * later kinds are translated and requests for an old id are sent on. Written only by a copy.
 */
export class AddCopyProgress1765267200000 implements MigrationInterface {
  name = 'AddCopyProgress1765267200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    // Kinds and old ids are compared exactly, whatever MariaDB's default collation.
    const exact = dialect === 'mysql' ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    const text = dialect === 'mysql' ? { charset: 'utf8mb4' } : {};
    await queryRunner.createTable(
      new Table({
        name: 'copy_progress',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'source', type: 'varchar', length: '2048', ...text },
          { name: 'source_family', type: 'varchar', length: '16', ...exact },
          // JSON: each kind's position in the source, null once the kind is done.
          { name: 'positions', type: 'text', ...text },
          { name: 'finished', type: 'boolean' },
          // JSON: on PostgreSQL, the statements that make again the indexes and foreign keys the copy dropped.
          { name: 'deferred', type: 'text', isNullable: true, ...text },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'moved_ids',
        columns: [
          { name: 'kind', type: 'varchar', length: '16', isPrimary: true, ...exact },
          { name: 'old_id', type: 'varchar', length: '64', isPrimary: true, ...exact },
          { name: 'new_id', type: 'integer' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('moved_ids');
    await queryRunner.dropTable('copy_progress');
  }
}
