import type { DataSource, EntitySchema, Repository, SelectQueryBuilder } from 'typeorm';
import { InvalidReferenceError, NotFoundError, PreconditionFailedError } from '../../domain/errors';
import type { PostFilter, PostQuery, Slice } from '../../domain/listing';
import type { NewPost, Post, PostChanges } from '../../domain/post';
import type { PostRepository } from '../../domain/repositories';
import type { ExpectedVersions } from '../../domain/versions';
import { type SqlDialect, dialectOf } from './dialect';
import type { PostRow } from './entities';
import { filteredPosts, parseTags, postPage, withTags } from './post-queries';
import { PostWrites } from './post-writes';
import { isForeignKeyViolation } from './sql-errors';
import { parseSqlId } from './sql-id';
import { deleteVersioned } from './versioned-writes';

export class TypeOrmPostRepository implements PostRepository {
  private readonly rows: Repository<PostRow>;
  private readonly dialect: SqlDialect;
  private readonly writes: PostWrites;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: EntitySchema<PostRow>,
  ) {
    this.rows = dataSource.getRepository(schema);
    this.dialect = dialectOf(dataSource.options);
    this.writes = new PostWrites(dataSource, schema);
  }

  async create(input: NewPost): Promise<Post> {
    const authorId = parseSqlId(input.authorId);
    if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
    try {
      const { row, tags } = await this.writes.create(authorId, input, new Date());
      return toPost(row, tags);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new InvalidReferenceError('authorId', input.authorId);
      throw error;
    }
  }

  async findById(id: string): Promise<Post | null> {
    const rowId = parseSqlId(id);
    if (rowId === null) return null;
    const [post] = await this.withTheirTags(this.rows.createQueryBuilder('post').where('post.id = :rowId', { rowId }));
    return post ?? null;
  }

  async find(query: PostQuery): Promise<Slice<Post>> {
    const page = postPage(this.rows, this.dialect, query);
    const posts = page === null ? [] : await this.withTheirTags(page);
    return { items: posts.slice(0, query.limit), hasMore: posts.length > query.limit };
  }

  async count(filter: PostFilter): Promise<number> {
    return (await filteredPosts(this.rows, this.dialect, filter)?.getCount()) ?? 0;
  }

  async update(id: string, changes: PostChanges, expected?: ExpectedVersions): Promise<Post> {
    const rowId = parseSqlId(id);
    if (rowId === null) throw new NotFoundError('post', id);
    const written = await this.writes.update(rowId, changes, expected);
    if (written === null) throw await this.whyNotWritten(rowId, id);
    return toPost(written.row, written.tags);
  }

  async delete(id: string, expected?: ExpectedVersions): Promise<void> {
    const rowId = parseSqlId(id);
    if (rowId === null) throw new NotFoundError('post', id);
    if (!(await deleteVersioned(this.dataSource, this.schema, rowId, expected))) throw await this.whyNotWritten(rowId, id);
  }

  /** The posts with their tags, read by one statement, so a post and its tags are always of one version. */
  private async withTheirTags(query: SelectQueryBuilder<PostRow>): Promise<Post[]> {
    const { entities, raw } = await withTags(query, this.dialect).getRawAndEntities<{ tags: unknown }>();
    return entities.map((row, i) => toPost(row, parseTags(raw[i].tags)));
  }

  /** A conditional write that matched no row: the post is gone, or has another version. */
  private async whyNotWritten(rowId: number, id: string): Promise<Error> {
    return (await this.rows.existsBy({ id: rowId })) ? new PreconditionFailedError('post', id) : new NotFoundError('post', id);
  }
}

function toPost(row: PostRow, tags: string[]): Post {
  return {
    id: String(row.id),
    authorId: String(row.authorId),
    title: row.title,
    content: row.content,
    publicationDate: row.publicationDate,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    tags,
    version: row.version,
  };
}
