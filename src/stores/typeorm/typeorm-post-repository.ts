import type { DataSource, EntitySchema, Repository } from 'typeorm';
import { InvalidReferenceError, NotAuthorError, NotFoundError, PreconditionFailedError } from '../../domain/errors';
import { type CountFilter, type PostQuery, type Slice, countable, searchScan, searchSlice } from '../../domain/listing';
import { type NewPost, type Post, type PostChanges, postSlug } from '../../domain/post';
import type { PostRepository } from '../../domain/repositories';
import type { WriteCondition } from '../../domain/versions';
import { chunks } from './bulk-inserts';
import { type SqlDialect, dialectOf } from './dialect';
import type { PostRow } from './entities';
import { filteredPosts, lastExamined, postPage } from './post-queries';
import { PostReads } from './post-reads';
import { PostWrites, type SqlWriteCondition, type TaggedRow } from './post-writes';
import { isForeignKeyViolation } from './sql-errors';
import { parseSqlId } from './sql-id';
import { slugNumber, slugSuffix, suffixOfSlug } from '../../domain/slug';

export class TypeOrmPostRepository implements PostRepository {
  private readonly rows: Repository<PostRow>;
  private readonly dialect: SqlDialect;
  private readonly writes: PostWrites;
  private readonly reads: PostReads;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: EntitySchema<PostRow>,
    /** Whether INSERT … RETURNING works here (see insertCanReturn). */
    insertReturning: boolean,
  ) {
    this.rows = dataSource.getRepository(schema);
    this.dialect = dialectOf(dataSource.options);
    this.writes = new PostWrites(dataSource, schema, insertReturning);
    this.reads = new PostReads(dataSource, schema);
  }

  async create(input: NewPost): Promise<Post> {
    const authorId = parseSqlId(input.authorId);
    if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
    try {
      return toPost(await this.writes.create(authorId, input, new Date()));
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new InvalidReferenceError('authorId', input.authorId);
      throw error;
    }
  }

  async createMany(inputs: NewPost[]): Promise<void> {
    if (inputs.length === 0) return;
    const posts = inputs.map((input) => {
      const authorId = parseSqlId(input.authorId);
      if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
      return { authorId, input };
    });
    try {
      await this.writes.createMany(posts, new Date());
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
      const missing = await missingAuthors(this.dataSource, posts.map(({ authorId }) => authorId));
      // Should a user with the missing id exist again by now, the first author is named.
      const { input } = posts.find(({ authorId }) => missing.has(authorId)) ?? posts[0];
      throw new InvalidReferenceError('authorId', input.authorId);
    }
  }

  async findById(id: string): Promise<Post | null> {
    const rowId = parseSqlId(id);
    if (rowId === null) return null;
    const [post] = await this.reads.posts({ where: ['post.id = :rowId'], parameters: { rowId }, order: [] });
    return post ?? null;
  }

  /** A post's slug ends with its id in base 36: the id's row, if the slug is its slug now. */
  async findBySlug(slug: string): Promise<Post | null> {
    const id = slugNumber(suffixOfSlug(slug));
    const post = id === null ? null : await this.findById(String(id));
    return post !== null && postSlug(post) === slug ? post : null;
  }

  async find(query: PostQuery): Promise<Slice<Post>> {
    const escape = (name: string) => this.dataSource.driver.escape(name);
    const scanLimit = searchScan(query);
    if (scanLimit !== undefined) {
      // Two statements: the last post the page may examine, from the sort's index alone, then the matches up to it.
      const window = lastExamined(this.dialect, escape, query, scanLimit);
      const last = window === null ? null : await this.reads.position(window, query.sort.field);
      const page = postPage(this.dialect, escape, query, last ?? undefined);
      return searchSlice(page === null ? [] : await this.reads.list(page), query.limit, last ?? undefined);
    }
    const page = postPage(this.dialect, escape, query);
    const posts = page === null ? [] : await this.reads.list(page);
    return { items: posts.slice(0, query.limit), hasMore: posts.length > query.limit };
  }

  async count(filter: CountFilter): Promise<number> {
    const matching = filteredPosts(this.dialect, countable(filter));
    return matching === null ? 0 : this.reads.count(matching);
  }

  /** Ends what the repository runs of its own (SQLite's reader thread). */
  async close(): Promise<void> {
    await this.reads.close();
  }

  async update(id: string, changes: PostChanges, condition: WriteCondition = {}): Promise<Post> {
    const where = sqlCondition(id, condition);
    const written = where === null ? null : await this.writes.update(where.id, changes, where);
    if (written === null) throw await this.whyNotWritten(id, where);
    return toPost(written);
  }

  async delete(id: string, condition: WriteCondition = {}): Promise<void> {
    const where = sqlCondition(id, condition);
    if (where === null || !(await this.writes.delete(where))) throw await this.whyNotWritten(id, where);
  }

  /** A conditional write that matched no row: the post is gone, has another author, or another version. */
  private async whyNotWritten(id: string, where: SqlWriteCondition | null): Promise<Error> {
    if (where === null) return new NotFoundError('post', id);
    switch (await this.writes.whyNotWritten(where)) {
      case 'missing':
        return new NotFoundError('post', id);
      case 'not author':
        return new NotAuthorError('post', id);
      case 'other version':
        return new PreconditionFailedError('post', id);
    }
  }
}

/**
 * The condition of a write to post `id` in row ids; null when no post can match: an id no SQL store could
 * have issued. An author id that could not be issued names an author no post has.
 */
function sqlCondition(id: string, { expected, authorId }: WriteCondition): SqlWriteCondition | null {
  const rowId = parseSqlId(id);
  if (rowId === null) return null;
  return { id: rowId, expected, ...(authorId !== undefined && { authorId: parseSqlId(authorId) ?? 0 }) };
}

/** Which of these user ids name no user. */
async function missingAuthors(dataSource: DataSource, authorIds: readonly number[]): Promise<Set<number>> {
  const missing = new Set(authorIds);
  for (const ids of chunks([...missing])) {
    const found = await dataSource.createQueryBuilder().select('u.id', 'id').from('users', 'u').where('u.id IN (:...ids)', { ids }).getRawMany<{ id: number | string }>();
    for (const { id } of found) missing.delete(Number(id));
  }
  return missing;
}

export function toPost({ row, tags, favoritesCount }: TaggedRow): Post {
  return {
    id: String(row.id),
    authorId: String(row.authorId),
    title: row.title,
    slugSuffix: slugSuffix(row.id),
    description: row.description,
    content: row.content,
    publicationDate: row.publicationDate,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    tags,
    version: row.version,
    favoritesCount,
  };
}
