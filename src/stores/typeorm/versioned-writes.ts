import type { DataSource, EntityManager, EntitySchema, WhereExpressionBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { ExpectedVersions } from '../../domain/versions';
import { dialectOf } from './dialect';

interface VersionedRow {
  id: number;
  version: number;
  updatedAt: Date;
}

/**
 * Writes `values` and one more version to row `id` (only while it has one of
 * the `expected` versions, when given) and answers the row exactly as that
 * write left it; null when no row matched. updatedAt never goes backwards,
 * even when a writer that read the clock earlier commits later.
 *
 * PostgreSQL and SQLite do it in one statement with RETURNING. MariaDB has no
 * UPDATE … RETURNING, so there the update and the read share a transaction:
 * the update's row lock keeps other writers out until the read is done.
 */
export async function updateVersioned<Row extends VersionedRow>(
  dataSource: DataSource,
  schema: EntitySchema<Row>,
  id: number,
  values: QueryDeepPartialEntity<Row>,
  expected: ExpectedVersions,
): Promise<Row | null> {
  const update = (manager: EntityManager) => {
    const query = manager
      .createQueryBuilder()
      .update(schema)
      .set({
        ...values,
        version: () => 'version + 1',
        updatedAt: () => 'CASE WHEN updated_at > :now THEN updated_at ELSE :now END',
      } as QueryDeepPartialEntity<Row>)
      .where('id = :id', { id })
      .setParameter('now', new Date());
    return whereVersionIn(query, expected);
  };

  switch (dialectOf(dataSource.options)) {
    case 'mysql':
      return dataSource.transaction(async (manager) => {
        const { affected } = await update(manager).execute();
        return affected ? manager.findOneBy(schema, { id } as never) : null;
      });
    case 'postgres': {
      const [sql, parameters] = update(dataSource.manager).getQueryAndParameters();
      // TypeORM answers [rows, affected] for a PostgreSQL UPDATE.
      const [rows] = (await dataSource.query(`${sql} RETURNING *`, parameters)) as [Record<string, unknown>[], number];
      return rows.length === 0 ? null : hydrate(dataSource, schema, rows[0]);
    }
    case 'sqlite': {
      const [sql, parameters] = update(dataSource.manager).getQueryAndParameters();
      const rows = (await dataSource.query(`${sql} RETURNING *`, parameters)) as Record<string, unknown>[];
      return rows.length === 0 ? null : hydrate(dataSource, schema, rows[0]);
    }
  }
}

/** Deletes row `id` (only while it has one of the `expected` versions, when given); answers whether a row went. */
export async function deleteVersioned<Row extends VersionedRow>(
  dataSource: DataSource,
  schema: EntitySchema<Row>,
  id: number,
  expected: ExpectedVersions,
): Promise<boolean> {
  const query = dataSource.createQueryBuilder().delete().from(schema).where('id = :id', { id });
  const { affected } = await whereVersionIn(query, expected).execute();
  return Boolean(affected);
}

/** No expected versions at all (only tags we never issued) matches no row; `IN ()` is not SQL. */
function whereVersionIn<Query extends WhereExpressionBuilder>(query: Query, expected: ExpectedVersions): Query {
  if (expected === undefined) return query;
  return expected.length === 0 ? query.andWhere('1 = 0') : query.andWhere('version IN (:...expected)', { expected: [...expected] });
}

/**
 * A raw row as the entity reads it, through the driver's own conversions; columns never selected stay out.
 * With `prefix`, each column is read from the one named by it and the column's name (a join's `u_id`).
 */
export function hydrate<Row>(dataSource: DataSource, schema: EntitySchema<Row>, raw: Record<string, unknown>, prefix = ''): Row {
  const row: Record<string, unknown> = {};
  for (const column of dataSource.getMetadata(schema).columns) {
    if (column.isSelect) row[column.propertyName] = dataSource.driver.prepareHydratedValue(raw[prefix + column.databaseName], column);
  }
  return row as Row;
}
