import type { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../config';
import { InvalidReferenceError } from '../../domain/errors';
import { compareCodePoints } from '../../domain/listing';
import type { NewPost } from '../../domain/post';
import { foldCase } from '../../domain/search';
import { MysqlBulkLoad } from './bulk-load-mysql';
import type { DeferredLoad, LoadedPost } from './bulk-load-rows';
import { PostgresBulkLoad } from './bulk-load-postgres';
import { SqliteBulkLoad } from './bulk-load-sqlite';
import { createDataSource } from './data-source';
import { dialectOf } from './dialect';
import { parseSqlId } from './sql-id';

/**
 * A bulk load of posts into an empty database, for the seeder: each post is
 * stored as PostRepository.createMany stores it (search keys, version 1, its
 * tags, the batch's time), but the tables' secondary indexes and foreign keys
 * are made once after the load instead of being kept up to date row by row.
 * While it runs, the database is not fit to serve: only use it on a database
 * nothing else uses yet.
 */
export class TypeOrmBulkLoad {
  private readonly tagIds = new Map<string, number>();
  private readonly checkedUsers = new Set<number>();
  private begun = false;
  private settled = false;
  /** The batch being written while the caller makes the next one. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dataSource: DataSource,
    private readonly load: DeferredLoad,
  ) {}

  /** Connects on its own, free of the statement budget: making an index over every row may take long. */
  static async open(database: DatabaseConfig): Promise<TypeOrmBulkLoad> {
    const dataSource = createDataSource(database, undefined, 'migrating');
    await dataSource.initialize();
    try {
      const dialect = dialectOf(dataSource.options);
      const load = dialect === 'sqlite' ? new SqliteBulkLoad(dataSource) : dialect === 'postgres' ? new PostgresBulkLoad(dataSource) : new MysqlBulkLoad(dataSource);
      return new TypeOrmBulkLoad(dataSource, load);
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  }

  /**
   * Writes the posts as createMany would, all with one `now`; the first call
   * takes the tables, and fails when posts or tags are there already. Answers
   * once the batch is on its way: the batch before it has been written, and
   * this one is written while the caller makes the next (finish waits for the last).
   * @throws InvalidReferenceError when an author does not exist.
   */
  async posts(inputs: readonly NewPost[]): Promise<void> {
    const now = new Date();
    const rows = inputs.map((input) => loadedPost(input, now));
    await this.writing;
    if (!this.begun) {
      if (!(await this.load.begin())) throw new Error('a bulk load needs a database without posts or tags');
      this.begun = true;
    }
    const unchecked = [...new Set(rows.map(({ authorId }) => authorId))].filter((id) => !this.checkedUsers.has(id));
    if (unchecked.length > 0) {
      const [missing] = await this.load.missingUsers(unchecked);
      if (missing !== undefined) throw new InvalidReferenceError('authorId', String(missing));
      for (const id of unchecked) this.checkedUsers.add(id);
    }
    const links = inputs.map(({ tags }) => [...new Set(tags)]);
    // In code-point order, as createMany adds them.
    const names = [...new Set(links.flat())].filter((name) => !this.tagIds.has(name)).sort(compareCodePoints);
    if (names.length > 0) {
      const ids = await this.load.addTags(names);
      names.forEach((name, i) => this.tagIds.set(name, ids[i]));
    }
    const writing = this.load.write(
      rows,
      links.map((tags) => tags.map((name) => this.tagIds.get(name)!)),
    );
    // Looked at by the next call or by finish; until then its failure must not count as unhandled.
    writing.catch(() => {});
    this.writing = writing;
  }

  /** Waits for the last batch, makes the indexes and foreign keys again, and keeps it all; then closes. */
  async finish(): Promise<void> {
    try {
      await this.writing;
      if (this.begun) await this.load.end();
      this.settled = true;
    } finally {
      await this.close();
    }
  }

  /** Without finish: undoes the load where the store can, puts the schema back, and closes. */
  async close(): Promise<void> {
    try {
      if (this.begun && !this.settled) {
        this.settled = true;
        await this.writing.catch(() => {});
        await this.load.abort();
      }
    } finally {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    }
  }
}

/** The row createMany writes for a post (see newPostRow in post-writes.ts): search keys, version 1, created and updated `now`. */
function loadedPost(input: NewPost, now: Date): LoadedPost {
  const authorId = parseSqlId(input.authorId);
  if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
  return {
    authorId,
    title: input.title,
    titleKey: foldCase(input.title),
    content: input.content,
    contentKey: foldCase(input.content),
    publicationDate: input.publicationDate ?? now,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}
