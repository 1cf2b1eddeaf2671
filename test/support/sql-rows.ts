import type { DataSource } from 'typeorm';

/**
 * Writes `rows` into `table` directly, 500 to a statement: test data at a volume the port's one-at-a-time
 * writes would take minutes for. Fields are named in camelCase and written to their snake_case columns.
 */
export async function insertRows(dataSource: DataSource, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const fields = Object.keys(rows[0]);
  const columns = fields.map((field) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
  for (let first = 0; first < rows.length; first += 500) {
    const parameters: Record<string, unknown> = {};
    const values = rows.slice(first, first + 500).map((row, i) => {
      for (const field of fields) parameters[`${field}${i}`] = row[field];
      return `(${fields.map((field) => `:${field}${i}`).join(', ')})`;
    });
    await dataSource.query(...dataSource.driver.escapeQueryWithParameters(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, parameters));
  }
}
