import type { DataSource } from 'typeorm';
import { dialectOf } from '../../src/stores/typeorm/dialect';

/**
 * The whole schema of a SQL database as the store itself reports it, for
 * comparing two databases: the applied migrations, and every table, column
 * (type, collation, default, nullability), index (columns, order, uniqueness,
 * definition) and constraint (foreign keys with their actions). Nothing that
 * moves with the data: no row counts, statistics, AUTO_INCREMENT values, OIDs
 * or root pages. (test/restart/restart.test.ts reads the same catalogues.)
 */
export async function sqlSchemaOf(dataSource: DataSource): Promise<unknown> {
  const query = (sql: string) => dataSource.query(sql) as Promise<Record<string, unknown>[]>;
  const migrations = (await query('SELECT name FROM migrations ORDER BY id')).map(({ name }) => name);
  switch (dialectOf(dataSource.options)) {
    case 'sqlite': {
      const objects = await query("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name");
      const tables: Record<string, unknown> = {};
      for (const { name } of objects.filter(({ type }) => type === 'table')) {
        const indexes = await query(`PRAGMA index_list("${name}")`);
        const indexColumns: Record<string, unknown> = {};
        for (const index of indexes) indexColumns[index.name as string] = await query(`PRAGMA index_xinfo("${index.name}")`);
        tables[name as string] = { columns: await query(`PRAGMA table_info("${name}")`), indexes, indexColumns, foreignKeys: await query(`PRAGMA foreign_key_list("${name}")`) };
      }
      return { migrations, objects, tables };
    }
    case 'postgres':
      return {
        migrations,
        columns: await query(
          `SELECT table_name, column_name, ordinal_position, data_type, udt_name, character_maximum_length, numeric_precision,
                  datetime_precision, collation_name, column_default, is_nullable, is_identity, is_generated
             FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
        ),
        indexes: await query(
          `SELECT i.tablename, i.indexname, i.indexdef, x.indisunique, x.indisprimary, x.indisvalid, x.indisready, x.indimmediate
             FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname AND c.relnamespace = current_schema()::regnamespace
             JOIN pg_index x ON x.indexrelid = c.oid
            WHERE i.schemaname = current_schema() ORDER BY i.tablename, i.indexname`,
        ),
        constraints: await query(
          `SELECT conrelid::regclass::text AS table_name, conname, contype, condeferrable, condeferred, convalidated, pg_get_constraintdef(oid) AS definition
             FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2`,
        ),
      };
    case 'mysql': {
      const tables = await query('SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME');
      const created: Record<string, string> = {};
      for (const { TABLE_NAME: name } of tables) {
        const [row] = await query(`SHOW CREATE TABLE \`${name}\``);
        // The next AUTO_INCREMENT value is data: it moves with every insert.
        created[name as string] = String(row['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
      }
      return {
        migrations,
        tables,
        columns: await query(
          `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_DEFAULT, IS_NULLABLE, EXTRA
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        ),
        indexes: await query(
          `SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, COLLATION, INDEX_TYPE
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
        ),
        constraints: await query(
          `SELECT c.TABLE_NAME, c.CONSTRAINT_NAME, c.CONSTRAINT_TYPE, r.UPDATE_RULE, r.DELETE_RULE, r.REFERENCED_TABLE_NAME
             FROM information_schema.TABLE_CONSTRAINTS c
             LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = c.CONSTRAINT_NAME
            WHERE c.CONSTRAINT_SCHEMA = DATABASE() ORDER BY c.TABLE_NAME, c.CONSTRAINT_NAME`,
        ),
        created,
      };
    }
  }
}
