/** Memory each index build of a load or a copy may sort in, for its transaction only (the server's default is 64 MB). */
export const indexBuildMemory = '256MB';

/**
 * PostgreSQL: how to drop the foreign keys and the secondary indexes of `tables` and make them again, as
 * `pg_restore` and a bulk load do, so that rows go in without being checked and indexed one at a time: the
 * server then builds each index in one sort and checks each key in one join. Indexes of constraints (primary
 * keys, unique constraints) and unique indexes stay, so nothing duplicate gets in meanwhile.
 * Answers one row per object, `drop` and `add`, foreign keys first, each list in a fixed order.
 */
export function deferredIndexesQuery(tables: readonly string[]): string {
  const relations = tables.map((table) => `'${table}'::regclass`).join(', ');
  const names = tables.map((table) => `'${table}'`).join(', ');
  return `SELECT drop, add FROM (
            SELECT 1 AS step, conname AS name,
                   format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop,
                   format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS add
              FROM pg_constraint WHERE contype = 'f' AND conrelid IN (${relations})
            UNION ALL
            SELECT 2, indexname, format('DROP INDEX %I.%I', schemaname, indexname), indexdef
              FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN (${names})
               AND indexdef NOT LIKE 'CREATE UNIQUE %'
               AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid IN (${relations}))
          ) deferred ORDER BY step, name`;
}
