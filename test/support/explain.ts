import type { Document, FindCursor } from 'mongodb';
import type { DataSource } from 'typeorm';
import type { SqlDialect } from '../../src/stores/typeorm/dialect';
import { foldCase } from '../../src/domain/search';

/**
 * One read of a table or collection: by its alias in the statement (its name
 * on MongoDB), through an index (null: the whole table), and whether a
 * condition bounds the range read.
 */
export interface Read {
  table: string;
  index: string | null;
  bounded: boolean;
}

/**
 * What a store's own plan shows, in the same terms on every store: each read,
 * and whether a sort step orders rows after they are read. `plan` is the
 * store's output as text.
 */
export interface PlanSummary {
  reads: Read[];
  sorts: boolean;
  plan: string;
}

/** Runs the assertions on a plan; when one fails, its message ends with the store's own plan. */
export function expectPlan(summary: PlanSummary, assertions: (summary: PlanSummary) => void): void {
  try {
    assertions(summary);
  } catch (error) {
    if (error instanceof Error) error.message += `\n\nThe store's plan:\n${summary.plan}`;
    throw error;
  }
}

/**
 * The plan of one SQL statement with its parameters, as the adapter runs it.
 * Index names are lower-cased: PostgreSQL folds the unquoted names of later
 * migrations, and every SQL store compares index names regardless of case.
 */
export async function explainSql(dataSource: DataSource, dialect: SqlDialect, [sql, parameters]: [string, unknown[]]): Promise<PlanSummary> {
  switch (dialect) {
    case 'sqlite':
      return sqlitePlan(await dataSource.query(`EXPLAIN QUERY PLAN ${sql}`, parameters));
    case 'postgres': {
      const [row] = await dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
      return postgresPlan(row['QUERY PLAN'][0].Plan);
    }
    case 'mysql':
      return mariaDbPlan(await dataSource.query(`EXPLAIN ${sql}`, parameters));
  }
}

/**
 * SQLite: `SCAN t`, `SCAN t USING [COVERING] INDEX i`, `SEARCH t USING [COVERING] INDEX i (a=?)`, `USE TEMP B-TREE FOR ORDER BY`;
 * an EXISTS it stops at the first row of reads `SEARCH t EXISTS USING …`.
 */
function sqlitePlan(rows: { detail: string }[]): PlanSummary {
  const reads: Read[] = [];
  for (const { detail } of rows) {
    const read = /^(SCAN|SEARCH) (?:TABLE )?(\S+)(?: EXISTS)?(?: USING (?:COVERING )?INDEX (\S+)| USING INTEGER PRIMARY KEY)?/.exec(detail);
    if (read === null) continue;
    const index = read[3] ?? (detail.includes('PRIMARY KEY') ? 'primary' : null);
    reads.push({ table: read[2], index: index?.toLowerCase() ?? null, bounded: read[1] === 'SEARCH' });
  }
  return {
    reads,
    sorts: rows.some(({ detail }) => /TEMP B-TREE FOR .*ORDER BY/.test(detail)),
    plan: rows.map(({ detail }) => detail).join('\n'),
  };
}

interface PostgresNode {
  'Node Type': string;
  Alias?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PostgresNode[];
}

/** PostgreSQL: a tree of nodes; a Bitmap Heap Scan reads the rows that the Bitmap Index Scan below it found. */
function postgresPlan(root: PostgresNode): PlanSummary {
  const nodes: PostgresNode[] = [];
  const visit = (node: PostgresNode) => {
    nodes.push(node);
    node.Plans?.forEach(visit);
  };
  visit(root);
  const reads = nodes.flatMap((node): Read[] => {
    if (node['Node Type'] === 'Seq Scan') return [{ table: node.Alias!, index: null, bounded: false }];
    if (['Index Scan', 'Index Only Scan'].includes(node['Node Type'])) {
      return [{ table: node.Alias!, index: node['Index Name']!.toLowerCase(), bounded: node['Index Cond'] !== undefined }];
    }
    if (node['Node Type'] === 'Bitmap Heap Scan') {
      const bitmap = node.Plans!.find((child) => child['Node Type'] === 'Bitmap Index Scan');
      return [{ table: node.Alias!, index: bitmap?.['Index Name']?.toLowerCase() ?? null, bounded: true }];
    }
    return [];
  });
  return { reads, sorts: nodes.some((node) => node['Node Type'].endsWith('Sort')), plan: JSON.stringify(root, null, 1) };
}

/** Access types that read only the rows a condition selects; `index` and `ALL` read the whole index or table. */
const mariaDbBoundedTypes = ['system', 'const', 'eq_ref', 'ref', 'ref_or_null', 'range', 'index_merge'];

/** MariaDB: one row per table read, with its access type, key and `Using filesort` when it sorts. */
function mariaDbPlan(rows: { table: string; type: string; key: string | null; Extra: string | null }[]): PlanSummary {
  return {
    reads: rows.map((row) => ({ table: row.table, index: row.key?.toLowerCase() ?? null, bounded: mariaDbBoundedTypes.includes(row.type) })),
    sorts: rows.some((row) => row.Extra?.includes('filesort') ?? false),
    plan: rows.map((row) => JSON.stringify(row)).join('\n'),
  };
}

/**
 * MongoDB: the winning plan's stages. Since 7.0 a plan run by the slot-based
 * engine nests the stage tree under `queryPlan`.
 */
export async function explainFind(cursor: FindCursor): Promise<PlanSummary> {
  const table = cursor.namespace.collection!;
  const { queryPlanner } = await cursor.explain('queryPlanner');
  const root: Document = queryPlanner.winningPlan.queryPlan ?? queryPlanner.winningPlan;
  const stages: Document[] = [];
  const visit = (stage: Document) => {
    stages.push(stage);
    if (stage.inputStage) visit(stage.inputStage);
    stage.inputStages?.forEach(visit);
  };
  visit(root);
  const reads = stages.flatMap((stage): Read[] => {
    if (stage.stage === 'COLLSCAN') return [{ table, index: null, bounded: false }];
    if (stage.stage === 'IXSCAN') {
      return [{ table, index: stage.indexName, bounded: Object.values<string[]>(stage.indexBounds).some((bounds) => !isWholeRange(bounds)) }];
    }
    return [];
  });
  return { reads, sorts: stages.some((stage) => stage.stage === 'SORT'), plan: JSON.stringify(root, null, 1) };
}

function isWholeRange(bounds: string[]): boolean {
  return bounds.length === 1 && /^\[(MinKey, MaxKey|MaxKey, MinKey)\]$/.test(bounds[0]);
}

const day = 24 * 60 * 60 * 1000;

/**
 * `count` posts by `authors` in turn, as rows to write directly for an EXPLAIN: creation instants, titles and
 * publication dates each spread by a different stride, so that no order of the list follows another.
 */
export function spreadPosts(count: number, authors: readonly string[]) {
  return Array.from({ length: count }, (_, i) => {
    const createdAt = new Date(Date.UTC(2024, 0, 1) + ((i * 104_729) % count) * 60_000);
    const title = `Post ${(i * 7_919) % 997}`;
    return {
      authorId: authors[i % authors.length],
      title,
      titleKey: foldCase(title),
      content: `Content of post ${i}`,
      contentKey: foldCase(`Content of post ${i}`),
      publicationDate: new Date(Date.UTC(2015, 0, 1) + Math.floor(((i * 7_919) % count) / 2) * day),
      createdAt,
      updatedAt: createdAt,
      version: 1,
    };
  });
}
