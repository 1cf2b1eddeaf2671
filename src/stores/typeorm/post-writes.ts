import type { DataSource, EntitySchema } from 'typeorm';
import type { NewPost, PostChanges } from '../../domain/post';
import { foldCase } from '../../domain/search';
import { compareCodePoints } from '../../domain/listing';
import type { ExpectedVersions } from '../../domain/versions';
import { batches, chunks, columnValues, insertStatement, insertWithIds } from './bulk-inserts';
import { type SqlDialect, dialectOf } from './dialect';
import type { PostRow } from './entities';
import { DirectStatements } from './direct-statements';
import { favoritesCountColumn, parseTags, tagsColumn } from './post-queries';
import { type Statement, type Work, transaction } from './transactions';
import { hydrate } from './versioned-writes';

/** A post's row with its tags and favorites count: what every write answers. */
export interface TaggedRow {
  row: PostRow;
  tags: string[];
  favoritesCount: number;
}

/**
 * Writes of posts, each with its tags in one transaction: a reader sees a
 * post's new title, version and tags together, or none of them.
 */
export class PostWrites {
  private readonly dialect: SqlDialect;
  private readonly statements: DirectStatements;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: EntitySchema<PostRow>,
    /** Whether INSERT … RETURNING works here (see insertCanReturn). */
    private readonly returning: boolean,
  ) {
    this.dialect = dialectOf(dataSource.options);
    this.statements = new DirectStatements(dataSource, 'post_write');
  }

  /**
   * One statement without tags; with tags, one transaction that adds the names not yet known, the post
   * and its links.
   * @throws QueryFailedError with a foreign-key violation when the author does not exist.
   */
  async create(authorId: number, input: NewPost, now: Date): Promise<TaggedRow> {
    const { dataSource, schema, returning } = this;
    const row = newPostRow(authorId, input, now);
    const tags = [...(input.tags ?? [])].sort(compareCodePoints);
    const values = columnValues(dataSource, schema, row);
    if (tags.length === 0) {
      const insert = insertStatement('posts', [values], returning ? ' RETURNING id' : '');
      const outcome = await this.statements.run(insert.sql, insert.parameters);
      return { row: { ...row, id: returning ? Number(outcome.rows[0].id) : outcome.insertId! }, tags, favoritesCount: 0 };
    }
    return transaction(dataSource, function* () {
      yield* addTagNames(dialectOf(dataSource.options), tags);
      const [id] = yield* insertWithIds('posts', [values], returning);
      yield* linkTags(id, tags, { replacing: false });
      return { row: { ...row, id }, tags, favoritesCount: 0 };
    });
  }

  /**
   * Writes each post as `create` does, all with one `now`: the names of their
   * tags first, as there, then the posts and their tags in one transaction,
   * many rows to a statement.
   * @throws QueryFailedError with a foreign-key violation when an author does not exist.
   */
  async createMany(posts: readonly { authorId: number; input: NewPost }[], now: Date): Promise<void> {
    const { dataSource, schema, returning } = this;
    const names = [...new Set(posts.flatMap(({ input }) => input.tags ?? []))];
    const rows = posts.map(({ authorId, input }) => columnValues(dataSource, schema, newPostRow(authorId, input, now)));
    await this.ensureTags(names);
    await transaction(dataSource, function* () {
      const tagIds = yield* readTagIds(names);
      const ids = yield* insertWithIds('posts', rows, returning);
      const links = posts.flatMap(({ input }, i) => [...new Set(input.tags)].map((name) => ({ post_id: ids[i], tag_id: tagIds.get(name) })));
      for (const batch of batches(links)) yield insertStatement('post_tags', batch);
    });
  }

  /**
   * Adds each name not yet in `tags`, in a short transaction of its own before the posts': tag names are
   * never deleted, so they stay for them, and an unused name is not listed.
   */
  private async ensureTags(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const dialect = this.dialect;
    await transaction(this.dataSource, () => addTagNames(dialect, tags));
  }

  /**
   * Applies the changes and one more version to post `id`, only while `condition` holds (its author, one of
   * the expected versions); null when no post matched. Without new tags it is one statement on PostgreSQL
   * and SQLite (UPDATE … RETURNING the row and its tags); on MariaDB, which has no UPDATE … RETURNING, the
   * update and the read of the row share a transaction, whose row lock keeps other writers out until the
   * read is done. New tags make it one transaction everywhere. updatedAt never goes backwards, even when a
   * writer that read the clock earlier commits later.
   */
  async update(id: number, changes: PostChanges, condition: SqlWriteCondition): Promise<TaggedRow | null> {
    const { dialect, dataSource, schema } = this;
    const { title, description, content, publicationDate, tags } = changes;
    const set: Record<string, unknown> = {
      ...(title !== undefined && { title, title_key: foldCase(title) }),
      ...(description !== undefined && { description }),
      ...(content !== undefined && { content, content_key: foldCase(content) }),
      ...(publicationDate !== undefined && { publication_date: publicationDate }),
    };
    const assignments = [
      ...Object.keys(set).map((column) => `${column} = :${column}`),
      'version = version + 1',
      'updated_at = CASE WHEN updated_at > :now THEN updated_at ELSE :now END',
    ];
    const where = writeConditions(condition);
    const update = { sql: `UPDATE posts SET ${assignments.join(', ')} WHERE ${where.sql}`, parameters: { ...set, ...where.parameters, now: new Date() } };
    const withCount = `${favoritesCountColumn('posts')} AS favorites_count`;
    const withTags = `${tagsColumn(dialect, 'posts')} AS tags, ${withCount}`;
    const toTagged = (raw: Record<string, unknown>, sorted?: string[]): TaggedRow => ({
      row: hydrate(dataSource, schema, raw),
      tags: sorted ?? parseTags(raw.tags),
      favoritesCount: Number(raw.favorites_count),
    });

    if (tags === undefined && dialect !== 'mysql') {
      const [raw] = (await this.statements.run(`${update.sql} RETURNING *, ${withTags}`, update.parameters)).rows;
      return raw === undefined ? null : toTagged(raw);
    }
    const sorted = tags === undefined ? undefined : [...tags].sort(compareCodePoints);
    return transaction(dataSource, function* () {
      if (sorted !== undefined) yield* addTagNames(dialect, sorted);
      let raw: Record<string, unknown> | undefined;
      if (dialect === 'mysql') {
        if ((yield update).affected === 0) return null;
        raw = (yield { sql: `SELECT *, ${withTags} FROM posts WHERE id = :id`, parameters: { id } }).rows[0];
      } else {
        raw = (yield { ...update, sql: `${update.sql} RETURNING *, ${withCount}` }).rows[0];
        if (raw === undefined) return null;
      }
      if (sorted !== undefined) yield* linkTags(id, sorted, { replacing: true });
      return toTagged(raw, sorted);
    });
  }

  /** Deletes post `id` (its tag links go with it), only while `condition` holds; whether it went. One statement. */
  async delete(condition: SqlWriteCondition): Promise<boolean> {
    const where = writeConditions(condition);
    return (await this.statements.run(`DELETE FROM posts WHERE ${where.sql}`, where.parameters)).affected > 0;
  }

  /** Why a write under `condition` matched no row: the post is gone, has another author, or another version. */
  async whyNotWritten({ id, authorId }: SqlWriteCondition): Promise<'missing' | 'not author' | 'other version'> {
    const [row] = (await this.statements.run('SELECT author_id FROM posts WHERE id = :id', { id })).rows;
    if (row === undefined) return 'missing';
    return authorId !== undefined && Number(row.author_id) !== authorId ? 'not author' : 'other version';
  }
}

/** A write's condition in a SQL store's terms: the row's id, and its author's when the write names one. */
export interface SqlWriteCondition {
  id: number;
  authorId?: number;
  expected?: ExpectedVersions;
}

/** No expected versions at all (only tags we never issued) matches no row; `IN ()` is not SQL. */
function writeConditions({ id, authorId, expected }: SqlWriteCondition): Statement {
  const conditions = ['id = :id'];
  if (authorId !== undefined) conditions.push('author_id = :authorId');
  if (expected !== undefined) conditions.push(expected.length === 0 ? '1 = 0' : 'version IN (:...expected)');
  return { sql: conditions.join(' AND '), parameters: { id, ...(authorId !== undefined && { authorId }), ...(expected !== undefined && expected.length > 0 && { expected: [...expected] }) } };
}

/**
 * Adds each of `names` not yet in `tags`, in code-point order, so that concurrent writers lock them in the
 * same order. MariaDB has no DO NOTHING; setting the name to itself changes nothing and, unlike INSERT
 * IGNORE, hides no other error. A deadlock with a writer of the same new names is run again whole (see
 * transaction).
 */
export function* addTagNames(dialect: SqlDialect, names: readonly string[]): Work<void> {
  const rows = [...names].sort(compareCodePoints).map((name) => ({ name }));
  const onConflict = dialect === 'mysql' ? ' ON DUPLICATE KEY UPDATE name = name' : ' ON CONFLICT (name) DO NOTHING';
  for (const batch of batches(rows)) yield insertStatement('tags', batch, onConflict);
}

/** The row `create` and `createMany` write for a new post (and the seeder's bulk load): its search keys, version 1, created and updated `now`. */
export function newPostRow(authorId: number, input: NewPost, now: Date): Required<Omit<PostRow, 'id'>> {
  return {
    authorId,
    title: input.title,
    titleKey: foldCase(input.title),
    description: input.description ?? '',
    content: input.content,
    contentKey: foldCase(input.content),
    publicationDate: input.publicationDate ?? now,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** The id of each of these tag names, which all exist. */
export function* readTagIds(names: readonly string[]): Work<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const batch of chunks(names)) {
    const { rows } = yield { sql: 'SELECT id, name FROM tags WHERE name IN (:...names)', parameters: { names: batch } };
    for (const { id, name } of rows as { id: number | string; name: string }[]) ids.set(name, Number(id));
  }
  return ids;
}

/** Makes `tags`, which all exist, the post's whole set of tags; `replacing` the set it had. */
function* linkTags(postId: number, tags: readonly string[], { replacing }: { replacing: boolean }): Work<void> {
  if (replacing) yield { sql: 'DELETE FROM post_tags WHERE post_id = :postId', parameters: { postId } };
  if (tags.length === 0) return;
  yield {
    sql: 'INSERT INTO post_tags (post_id, tag_id) SELECT :postId, id FROM tags WHERE name IN (:...names)',
    parameters: { postId, names: [...tags] },
  };
}

/** The tags of each of these posts, in code-point order; a post without tags is absent. */
export function* readTags(postIds: readonly number[]): Work<Map<number, string[]>> {
  const byPost = new Map<number, string[]>();
  if (postIds.length === 0) return byPost;
  const { rows } = yield {
    sql: 'SELECT pt.post_id AS post_id, t.name AS name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id IN (:...postIds)',
    parameters: { postIds: [...postIds] },
  };
  for (const { post_id, name } of rows as { post_id: number | string; name: string }[]) {
    const id = Number(post_id);
    byPost.set(id, [...(byPost.get(id) ?? []), name]);
  }
  for (const names of byPost.values()) names.sort(compareCodePoints);
  return byPost;
}
