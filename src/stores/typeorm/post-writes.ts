import type { DataSource, EntitySchema } from 'typeorm';
import type { NewPost, PostChanges } from '../../domain/post';
import { foldCase } from '../../domain/search';
import { compareCodePoints } from '../../domain/listing';
import type { ExpectedVersions } from '../../domain/versions';
import { type ColumnValues, batches, chunks, columnValues, insertStatement } from './bulk-inserts';
import { type SqlDialect, dialectOf } from './dialect';
import type { PostRow } from './entities';
import { type Work, transaction } from './transactions';
import { hydrate } from './versioned-writes';

/** A post's row with its tags: what every write answers. */
export interface TaggedRow {
  row: PostRow;
  tags: string[];
}

/**
 * Writes of posts, each with its tags in one transaction: a reader sees a
 * post's new title, version and tags together, or none of them.
 */
export class PostWrites {
  private readonly dialect: SqlDialect;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: EntitySchema<PostRow>,
    /** Whether INSERT … RETURNING works here (see insertCanReturn). */
    private readonly returning: boolean,
  ) {
    this.dialect = dialectOf(dataSource.options);
  }

  /** @throws QueryFailedError with a foreign-key violation when the author does not exist. */
  async create(authorId: number, input: NewPost, now: Date): Promise<TaggedRow> {
    const { dataSource, schema, returning } = this;
    const row = newPostRow(authorId, input, now);
    const tags = input.tags ?? [];
    await this.ensureTags(tags);
    return transaction(dataSource, function* () {
      const [id] = yield* insertPosts([columnValues(dataSource, schema, row)], returning);
      yield* linkTags(id, tags, { replacing: false });
      return { row: { ...row, id }, tags: [...tags].sort(compareCodePoints) };
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
      const ids = yield* insertPosts(rows, returning);
      const links = posts.flatMap(({ input }, i) => [...new Set(input.tags)].map((name) => ({ post_id: ids[i], tag_id: tagIds.get(name) })));
      for (const batch of batches(links)) yield insertStatement('post_tags', batch);
    });
  }

  /**
   * Adds each name not yet in `tags`, in its own short transaction before the
   * post's: tag names are never deleted, so they stay for it, and a post's
   * transaction then only reads them. Done inside it, concurrent writers of
   * new tags deadlock on MariaDB's unique-index locks. A name whose post
   * fails to be written stays unused, and unused names are not listed.
   */
  private async ensureTags(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const dialect = this.dialect;
    // In code-point order, so concurrent writers lock names in the same order.
    const names = [...tags].sort(compareCodePoints).map((name) => ({ name }));
    // MariaDB has no DO NOTHING; setting the name to itself changes nothing and, unlike INSERT IGNORE, hides no other error.
    const onConflict = dialect === 'mysql' ? ' ON DUPLICATE KEY UPDATE name = name' : ' ON CONFLICT (name) DO NOTHING';
    await transaction(this.dataSource, function* () {
      for (const batch of batches(names)) yield insertStatement('tags', batch, onConflict);
    });
  }

  /**
   * Applies the changes and one more version to post `id`, only while it has
   * one of the `expected` versions when given; null when no post matched.
   * updatedAt never goes backwards, even when a writer that read the clock
   * earlier commits later.
   */
  async update(id: number, changes: PostChanges, expected: ExpectedVersions): Promise<TaggedRow | null> {
    const { dialect, dataSource, schema } = this;
    const { title, content, publicationDate, tags } = changes;
    const set: Record<string, unknown> = {
      ...(title !== undefined && { title, title_key: foldCase(title) }),
      ...(content !== undefined && { content, content_key: foldCase(content) }),
      ...(publicationDate !== undefined && { publication_date: publicationDate }),
    };
    const assignments = [
      ...Object.keys(set).map((column) => `${column} = :${column}`),
      'version = version + 1',
      'updated_at = CASE WHEN updated_at > :now THEN updated_at ELSE :now END',
    ];
    const versionCondition = expected === undefined ? '' : expected.length === 0 ? ' AND 1 = 0' : ' AND version IN (:...expected)';
    if (tags !== undefined) await this.ensureTags(tags);
    return transaction(dataSource, function* () {
      const update = {
        sql: `UPDATE posts SET ${assignments.join(', ')} WHERE id = :id${versionCondition}`,
        parameters: { ...set, now: new Date(), id, expected: expected === undefined ? undefined : [...expected] },
      };
      let raw: Record<string, unknown> | undefined;
      if (dialect === 'mysql') {
        // No UPDATE … RETURNING: the row lock the update took keeps other writers out until this read.
        if ((yield update).affected === 0) return null;
        raw = (yield { sql: 'SELECT * FROM posts WHERE id = :id', parameters: { id } }).rows[0];
      } else {
        raw = (yield { ...update, sql: `${update.sql} RETURNING *` }).rows[0];
        if (raw === undefined) return null;
      }
      if (tags !== undefined) yield* linkTags(id, tags, { replacing: true });
      const row = hydrate(dataSource, schema, raw);
      return { row, tags: tags === undefined ? (yield* readTags([id])).get(id) ?? [] : [...tags].sort(compareCodePoints) };
    });
  }
}

/** The row `create` writes for a new post: its search keys, version 1, created and updated `now`. */
function newPostRow(authorId: number, input: NewPost, now: Date): Omit<PostRow, 'id'> {
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

/**
 * Inserts the rows, many to a statement where the store can answer their ids
 * with RETURNING, else one at a time; answers their ids in the rows' order.
 */
function* insertPosts(rows: readonly ColumnValues[], returning: boolean): Work<number[]> {
  const ids: number[] = [];
  for (const batch of batches(rows, returning ? undefined : 1)) {
    if (returning) {
      const { rows: inserted } = yield insertStatement('posts', batch, ' RETURNING id');
      // One INSERT numbers its rows in the order of its VALUES on every store here; RETURNING promises no order.
      for (const id of inserted.map((row) => Number(row.id)).sort((a, b) => a - b)) ids.push(id);
    } else {
      ids.push((yield insertStatement('posts', batch)).insertId!);
    }
  }
  return ids;
}

/** The id of each of these tag names, which all exist. */
function* readTagIds(names: readonly string[]): Work<Map<string, number>> {
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
