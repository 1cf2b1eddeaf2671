import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { databaseConfig, type StoreKind } from '../../src/config';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { openStore } from '../../src/stores/open-store';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { createBenchDatabase } from '../bench/databases';
import { exampleNames, publicationDate, writeExample } from './example';
import { Masking } from './masking';
import { type MongoSnapshot, mongoSnapshot } from './mongo-snapshot';
import { type SqlKind, type SqlSnapshot, sqlSnapshot } from './sql-snapshot';

/** The project's root, whether this runs from the sources or compiled under dist/. */
export const root = [resolve(__dirname, '../..'), resolve(__dirname, '../../..')].find((folder) => existsSync(join(folder, 'package.json')))!;
export const documentPath = join(root, 'docs/modeling.md');
const templatePath = join(root, 'tools/docs/modeling.template.md');

export const staleMessage = 'docs/modeling.md is stale: run npm run docs:modeling';

export const storeKinds: readonly StoreKind[] = ['sqlite', 'postgres', 'mysql', 'mongodb'];
const storeTitles: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MariaDB', mongodb: 'MongoDB' };

interface StoreSection {
  kind: StoreKind;
  version: string;
  markdown: string;
}

/**
 * docs/modeling.md: the template's prose around what each store holds once the service has prepared a fresh
 * database (migrations, indexes) and the example has been written through the port. One store at a time, each
 * on a database of its own that is dropped after; `progress` hears which store is being read.
 */
export async function generateModelingDoc(progress: (line: string) => void = () => {}): Promise<string> {
  const sections: StoreSection[] = [];
  for (const kind of storeKinds) {
    progress(`${kind}: a fresh database, the example, its schema and records`);
    sections.push(await storeSection(kind));
  }
  const parts: Record<string, string> = {
    versions: sections.map(({ kind, version }) => `${storeTitles[kind]} ${version}`).join(', '),
    ...Object.fromEntries(sections.map(({ kind, markdown }) => [kind, markdown])),
  };
  const template = readFileSync(templatePath, 'utf8');
  const document = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (!(name in parts)) throw new Error(`${templatePath}: unknown part {{${name}}}`);
    return parts[name];
  });
  return `${document.trimEnd()}\n`;
}

/** The part of the document that shows what `kind` holds: from its heading to the next. */
export function storePart(document: string, kind: StoreKind): string {
  const start = document.indexOf(`\n### ${storeTitles[kind]}\n`);
  if (start === -1) return '';
  const next = document.slice(start + 1).search(/\n#{2,3} /);
  return next === -1 ? document.slice(start + 1) : document.slice(start + 1, start + 1 + next);
}

/** Where two versions of the document first part, in a few lines, for a message. */
export function firstDifference(committed: string, generated: string): string {
  const [a, b] = [committed.split('\n'), generated.split('\n')];
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `first difference at line ${at + 1}:\n- ${a[at] ?? '(end of file)'}\n+ ${b[at] ?? '(end of file)'}`;
}

async function storeSection(kind: StoreKind): Promise<StoreSection> {
  const database = await createBenchDatabase(kind);
  try {
    // Opened as the service opens it: the SQL migrations run, MongoDB's indexes and document migrations.
    const store = await openStore(databaseConfig(database.url));
    try {
      const example = await writeExample(store);
      const masking = new Masking(exampleNames(example), [publicationDate], new Map([[example.tokenHash, 'SHA-256 of the token']]));
      if (store instanceof MongoStore) {
        const snapshot = await mongoSnapshot(store.db, masking);
        const info = await store.db.admin().command({ buildInfo: 1 });
        const version = 'ferretdbVersion' in info ? `as FerretDB ${ferretDbVersion()} serves it` : String(info.version);
        return { kind, version, markdown: mongoMarkdown(snapshot) };
      }
      if (store instanceof TypeOrmStore) {
        const snapshot = await sqlSnapshot(kind as SqlKind, database.url, store.dataSource, masking);
        return { kind, version: await sqlVersion(kind as SqlKind, store), markdown: sqlMarkdown(snapshot) };
      }
      throw new Error(`${kind}: an adapter this generator does not know`);
    } finally {
      await store.close();
    }
  } finally {
    await database.drop();
  }
}

/** The FerretDB the launcher is built from (tools/ferretdb/go.mod): the embedded build reports its version as "unknown". */
function ferretDbVersion(): string {
  const goMod = readFileSync(join(root, 'tools/ferretdb/go.mod'), 'utf8');
  return /github\.com\/FerretDB\/FerretDB v(\S+)/.exec(goMod)?.[1] ?? 'of unknown version';
}

/** The version as far as it shapes the schema's text: major (and minor for MariaDB and SQLite). */
async function sqlVersion(kind: SqlKind, store: TypeOrmStore): Promise<string> {
  const query = async (sql: string) => String(Object.values(((await store.dataSource.query(sql)) as Record<string, unknown>[])[0])[0]);
  switch (kind) {
    case 'sqlite':
      return (await query('SELECT sqlite_version()')).split('.').slice(0, 2).join('.');
    case 'postgres':
      return (await query('SHOW server_version')).split('.')[0];
    case 'mysql':
      return (await query('SELECT VERSION()')).split('.').slice(0, 2).join('.');
  }
}

function sqlMarkdown(snapshot: SqlSnapshot): string {
  const tables = snapshot.tables.map(({ name, ddl, columns, rows }) =>
    [`#### ${name}`, '', '```sql', ddl, '```', '', rows.length === 0 ? '(no rows)' : markdownTable(columns, rows)].join('\n'),
  );
  return [...tables, `Its other tables, outside these relations: ${snapshot.others.map((name) => `\`${name}\``).join(', ')}.`].join('\n\n');
}

function mongoMarkdown(snapshot: MongoSnapshot): string {
  const collections = snapshot.collections.map(({ name, indexes, documents }) =>
    [`#### ${name}`, '', 'Indexes (`listIndexes`):', '', '```js', ...indexes, '```', '', 'Documents:', '', '```js', documents.join('\n'), '```'].join('\n'),
  );
  return [...collections, `Its other collections, outside these relations: ${snapshot.others.map((name) => `\`${name}\``).join(', ')}.`].join('\n\n');
}

function markdownTable(columns: string[], rows: (string | null)[][]): string {
  const cell = (value: string | null) => (value === null ? 'NULL' : `\`${value.replaceAll('|', '\\|').replaceAll('\n', ' ')}\``);
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}
