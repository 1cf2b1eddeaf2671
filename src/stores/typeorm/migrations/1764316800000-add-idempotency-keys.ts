import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { dialectOf } from '../dialect';

/** Uses of Idempotency-Key on creates, with the response each first request sent. */
export class AddIdempotencyKeys1764316800000 implements MigrationInterface {
  name = 'AddIdempotencyKeys1764316800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    // Hashes and tokens are compared exactly, whatever MariaDB's default collation.
    const exact = dialect === 'mysql' ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    const text = dialect === 'mysql' ? { charset: 'utf8mb4' } : {};
    // A response carries a post of up to 100,000 characters: MariaDB's text stops at 64 KiB.
    const bodyType = dialect === 'mysql' ? 'mediumtext' : 'text';

    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true, ...exact },
          { name: 'fingerprint', type: 'varchar', length: '64', ...exact },
          { name: 'claim_token', type: 'varchar', length: '36', ...exact },
          { name: 'response_status', type: 'integer', isNullable: true },
          { name: 'response_headers', type: 'text', isNullable: true, ...text },
          { name: 'response_body', type: bodyType, isNullable: true, ...text },
          { name: 'expires_at', type: dialect === 'postgres' ? 'timestamptz' : 'datetime', precision: 3 },
        ],
        indices: [{ name: 'IDX_idempotency_keys_expires', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotency_keys');
  }
}
