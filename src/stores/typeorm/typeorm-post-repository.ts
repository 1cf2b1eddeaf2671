import type { DataSource, EntitySchema, Repository } from 'typeorm';
import { definedOnly } from '../../domain/changes';
import { InvalidReferenceError, NotFoundError, PreconditionFailedError } from '../../domain/errors';
import type { PostFilter, PostQuery, Slice } from '../../domain/listing';
import type { NewPost, Post, PostChanges } from '../../domain/post';
import type { PostRepository } from '../../domain/repositories';
import type { ExpectedVersions } from '../../domain/versions';
import { dialectOf } from './dialect';
import type { PostRow } from './entities';
import { filteredPosts, postPage } from './post-queries';
import { isForeignKeyViolation } from './sql-errors';
import { parseSqlId } from './sql-id';
import { deleteVersioned, updateVersioned } from './versioned-writes';

export class TypeOrmPostRepository implements PostRepository {
  private readonly rows: Repository<PostRow>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: EntitySchema<PostRow>,
  ) {
    this.rows = dataSource.getRepository(schema);
  }

  async create(input: NewPost): Promise<Post> {
    const authorId = parseSqlId(input.authorId);
    if (authorId === null) throw new InvalidReferenceError('authorId', input.authorId);
    const now = new Date();
    const row = {
      authorId,
      title: input.title,
      content: input.content,
      publicationDate: input.publicationDate ?? now,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    try {
      const { identifiers } = await this.rows.insert(row);
      return toPost({ ...row, id: Number(identifiers[0].id) });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new InvalidReferenceError('authorId', input.authorId);
      throw error;
    }
  }

  async findById(id: string): Promise<Post | null> {
    const rowId = parseSqlId(id);
    const row = rowId === null ? null : await this.rows.findOneBy({ id: rowId });
    return row === null ? null : toPost(row);
  }

  async find(query: PostQuery): Promise<Slice<Post>> {
    const rows = (await postPage(this.rows, dialectOf(this.dataSource.options), query)?.getMany()) ?? [];
    return { items: rows.slice(0, query.limit).map(toPost), hasMore: rows.length > query.limit };
  }

  async count(filter: PostFilter): Promise<number> {
    return (await filteredPosts(this.rows, filter)?.getCount()) ?? 0;
  }

  async update(id: string, changes: PostChanges, expected?: ExpectedVersions): Promise<Post> {
    const rowId = parseSqlId(id);
    if (rowId === null) throw new NotFoundError('post', id);
    const row = await updateVersioned(this.dataSource, this.schema, rowId, definedOnly(changes), expected);
    if (row === null) throw await this.whyNotWritten(rowId, id);
    return toPost(row);
  }

  async delete(id: string, expected?: ExpectedVersions): Promise<void> {
    const rowId = parseSqlId(id);
    if (rowId === null) throw new NotFoundError('post', id);
    if (!(await deleteVersioned(this.dataSource, this.schema, rowId, expected))) throw await this.whyNotWritten(rowId, id);
  }

  /** A conditional write that matched no row: the post is gone, or has another version. */
  private async whyNotWritten(rowId: number, id: string): Promise<Error> {
    return (await this.rows.existsBy({ id: rowId })) ? new PreconditionFailedError('post', id) : new NotFoundError('post', id);
  }

}

function toPost(row: PostRow): Post {
  return {
    id: String(row.id),
    authorId: String(row.authorId),
    title: row.title,
    content: row.content,
    publicationDate: row.publicationDate,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}
