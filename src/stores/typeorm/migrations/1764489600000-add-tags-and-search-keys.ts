import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { foldCase } from '../../../domain/search';
import { dialectOf } from '../dialect';

/**
 * Tags, the first many-to-many relation: `tags` holds each name once,
 * `post_tags` which post carries which; a post's rows go with the post.
 * Posts also keep their title and content case-folded (`title_key`,
 * `content_key`), so every store searches with the same folding; existing
 * posts get theirs here.
 */
export class AddTagsAndSearchKeys1764489600000 implements MigrationInterface {
  name = 'AddTagsAndSearchKeys1764489600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner.connection.options);
    // Names and keys are compared byte for byte: MariaDB's default collation would make 'ß' equal 'ss'.
    const exact = dialect === 'mysql' ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    const exactSql = dialect === 'mysql' ? ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' : '';
    // Folding can lengthen text ('ß' becomes 'ss'), so the keys have no length limit of their own.
    const contentKeyType = dialect === 'mysql' ? 'mediumtext' : 'text';

    await queryRunner.createTable(
      new Table({
        name: 'tags',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'name', type: 'varchar', length: '32', ...exact },
        ],
        indices: [{ name: 'UQ_tags_name', columnNames: ['name'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'post_tags',
        columns: [
          { name: 'post_id', type: 'integer', isPrimary: true },
          { name: 'tag_id', type: 'integer', isPrimary: true },
        ],
        foreignKeys: [
          { name: 'FK_post_tags_post', columnNames: ['post_id'], referencedTableName: 'posts', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { name: 'FK_post_tags_tag', columnNames: ['tag_id'], referencedTableName: 'tags', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
        // The primary key serves a post's tags; this serves a tag's posts and the counts.
        indices: [{ name: 'IDX_post_tags_tag', columnNames: ['tag_id', 'post_id'] }],
      }),
    );

    // Added in place (SQLite rebuilds a table for TypeORM's addColumn), with a default that backfill replaces.
    await queryRunner.query(`ALTER TABLE posts ADD COLUMN title_key text${exactSql} NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE posts ADD COLUMN content_key ${contentKeyType}${exactSql} NOT NULL DEFAULT ''`);
    await backfillSearchKeys(queryRunner, dialect === 'postgres' ? (n) => `$${n}` : () => '?');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE posts DROP COLUMN content_key');
    await queryRunner.query('ALTER TABLE posts DROP COLUMN title_key');
    await queryRunner.dropTable('post_tags');
    await queryRunner.dropTable('tags');
  }
}

/** Every existing post's keys, a batch at a time, so a large table is never held in memory. */
async function backfillSearchKeys(queryRunner: QueryRunner, placeholder: (n: number) => string): Promise<void> {
  for (let afterId = 0; ; ) {
    const rows = (await queryRunner.query(
      `SELECT id, title, content FROM posts WHERE id > ${placeholder(1)} ORDER BY id LIMIT 500`,
      [afterId],
    )) as { id: number; title: string; content: string }[];
    if (rows.length === 0) return;
    for (const { id, title, content } of rows) {
      await queryRunner.query(`UPDATE posts SET title_key = ${placeholder(1)}, content_key = ${placeholder(2)} WHERE id = ${placeholder(3)}`, [
        foldCase(title),
        foldCase(content),
        id,
      ]);
    }
    afterId = Number(rows.at(-1)!.id);
  }
}
