import type { DataSource } from 'typeorm';
import { type DatabaseConfig, sqlitePath } from '../../config';
import { InvalidReferenceError } from '../../domain/errors';
import { compareCodePoints } from '../../domain/listing';
import type { NewPost } from '../../domain/post';
import { MysqlBulkLoad, takesLocalFiles } from './bulk-load-mysql';
import type { DeferredLoad, LoadBatch, LoadedPost, NextIds } from './bulk-load-rows';
import { PostgresBulkLoad } from './bulk-load-postgres';
import { SqliteBulkLoad } from './bulk-load-sqlite';
import { createDataSource } from './data-source';
import { newPostRow } from './post-writes';
import { dialectOf } from './dialect';
import { parseSqlId } from './sql-id';

/**
 * Posts a store is sent at a time, each slice made while the one before is
 * written. Taken from the caller's iterable one slice at a time, so that few
 * posts are alive at once: making 100,000 seeded posts and their keys in
 * batches of 5,000 spent 1.0-1.2 s collecting garbage, in slices of 1,000
 * 0.3 s (slices of 250 or 500 made no difference that could be measured here).
 */
const sliceSize = 1_000;

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
  private readonly authors = new Set<number>();
  /** The ids to give next, once the load has begun. */
  private next: NextIds | undefined;
  private settled = false;
  /** The batch being written while the caller makes the next one. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dataSource: DataSource,
    private readonly load: DeferredLoad,
  ) {}

  /**
   * Connects on its own, free of the statement budget: making an index over
   * every row may take long. Null where the store cannot be bulk loaded: a
   * SQLite database in memory (it lives in the connection that made it), a
   * MySQL server that refuses LOAD DATA LOCAL INFILE.
   */
  static async open(database: DatabaseConfig): Promise<TypeOrmBulkLoad | null> {
    if (database.kind === 'sqlite' && sqlitePath(database.url) === ':memory:') return null;
    const dataSource = createDataSource(database, undefined, 'migrating');
    // SQLite's load has a connection of its own, on its own thread; here TypeORM only converts values.
    if (database.kind !== 'sqlite') await dataSource.initialize();
    try {
      const dialect = dialectOf(dataSource.options);
      if (dialect === 'mysql' && !(await takesLocalFiles(dataSource))) {
        await dataSource.destroy();
        return null;
      }
      const load = dialect === 'sqlite' ? new SqliteBulkLoad(dataSource) : dialect === 'postgres' ? new PostgresBulkLoad(dataSource) : new MysqlBulkLoad(dataSource);
      return new TypeOrmBulkLoad(dataSource, load);
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy();
      throw error;
    }
  }

  /**
   * Writes the posts as createMany would, all with one `now`; the first call
   * takes the tables, and fails when posts or tags are there already. Answers
   * once the batch is on its way: the batch before it has been written, and
   * this one is written while the caller makes the next (finish waits for the
   * last). The posts are taken and sent in slices (see sliceSize).
   * Authors are checked by finish, all at once.
   * @throws InvalidReferenceError when an author id is malformed.
   */
  async posts(inputs: Iterable<NewPost>): Promise<void> {
    const now = new Date();
    let slice: NewPost[] = [];
    for (const input of inputs) {
      slice.push(input);
      if (slice.length === sliceSize) {
        await this.slice(slice, now);
        slice = [];
      }
    }
    if (slice.length > 0) await this.slice(slice, now);
  }

  private async slice(inputs: readonly NewPost[], now: Date): Promise<void> {
    const rows = inputs.map((input) => loadedPost(input, now));
    if (this.next === undefined) {
      const next = await this.load.begin();
      if (next === null) throw new Error('a bulk load needs a database without posts or tags');
      this.next = next;
    }
    const next = this.next;
    const batch: LoadBatch = { posts: [], tags: [], links: [] };
    const tagSets = inputs.map(({ tags }) => [...new Set(tags)]);
    // In code-point order, as createMany adds them.
    for (const name of [...new Set(tagSets.flat())].filter((name) => !this.tagIds.has(name)).sort(compareCodePoints)) {
      const id = next.tag++;
      this.tagIds.set(name, id);
      batch.tags.push({ id, name });
    }
    rows.forEach((post, i) => {
      const id = next.post++;
      batch.posts.push({ id, post });
      this.authors.add(post.authorId);
      for (const name of tagSets[i]) batch.links.push({ postId: id, tagId: this.tagIds.get(name)! });
    });
    const payload = this.load.prepare(batch);
    await this.writing;
    const { written } = await this.load.send(payload);
    // Looked at by the next call or by finish; until then its failure must not count as unhandled.
    written.catch(() => {});
    this.writing = written;
  }

  /**
   * Waits for the last batch, checks that every author is a user, makes the
   * indexes and foreign keys again, and keeps it all; then closes.
   * @throws InvalidReferenceError when an author does not exist (nothing is kept).
   */
  async finish(): Promise<void> {
    try {
      await this.writing;
      if (this.next !== undefined) {
        const [missing] = await this.load.missingUsers([...this.authors]);
        if (missing !== undefined) throw new InvalidReferenceError('authorId', String(missing));
        await this.load.end(this.next);
        this.settled = true;
      }
    } finally {
      await this.close();
    }
  }

  /** Without finish: undoes the load where the store can, puts the schema back, and closes. */
  async close(): Promise<void> {
    try {
      if (this.next !== undefined && !this.settled) {
        this.settled = true;
        await this.writing.catch(() => {});
        await this.load.abort();
      }
    } finally {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    }
  }
}

/** The row createMany writes for a post (newPostRow), its author's id checked. */
function loadedPost(input: NewPost, now: Date): LoadedPost {
  const authorId = parseSqlId(input.authorId);
  if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
  return newPostRow(authorId, input, now);
}
