import type { DataSource, EntitySchema, FindOptionsWhere, Repository } from 'typeorm';
import { definedOnly } from '../../domain/changes';
import { InvalidReferenceError, NotFoundError, PreconditionFailedError } from '../../domain/errors';
import type { Page, PageRequest } from '../../domain/page';
import type { NewPost, Post, PostChanges } from '../../domain/post';
import type { PostRepository } from '../../domain/repositories';
import type { ExpectedVersions } from '../../domain/versions';
import type { PostRow } from './entities';
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

  list(page: PageRequest): Promise<Page<Post>> {
    return this.page({}, page);
  }

  async listByAuthor(authorId: string, page: PageRequest): Promise<Page<Post>> {
    const id = parseSqlId(authorId);
    if (id === null) return { items: [], ...page, total: 0 };
    return this.page({ authorId: id }, page);
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

  private async page(where: FindOptionsWhere<PostRow>, { skip, limit }: PageRequest): Promise<Page<Post>> {
    const [rows, total] = await this.rows.findAndCount({
      where,
      order: { publicationDate: 'DESC', id: 'DESC' },
      skip,
      take: limit,
    });
    return { items: rows.map(toPost), skip, limit, total };
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
