import type { DataSource, EntitySchema } from 'typeorm';
import type { NewPost, PostChanges } from '../../domain/post';
import { foldCase } from '../../domain/search';
import { compareCodePoints } from '../../domain/listing';
import type { ExpectedVersions } from '../../domain/versions';
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
  ) {
    this.dialect = dialectOf(dataSource.options);
  }

  /** @throws QueryFailedError with a foreign-key violation when the author does not exist. */
  async create(authorId: number, input: NewPost, now: Date): Promise<TaggedRow> {
    const { dialect, dataSource } = this;
    const values = {
      authorId,
      title: input.title,
      titleKey: foldCase(input.title),
      content: input.content,
      contentKey: foldCase(input.content),
      publicationDate: input.publicationDate ?? now,
      createdAt: now,
      updatedAt: now,
    };
    const tags = input.tags ?? [];
    await this.ensureTags(tags);
    return transaction(dataSource, function* () {
      const returning = dialect === 'mysql' ? '' : ' RETURNING id';
      const inserted = yield {
        sql: `INSERT INTO posts (author_id, title, title_key, content, content_key, publication_date, created_at, updated_at, version)
              VALUES (:authorId, :title, :titleKey, :content, :contentKey, :publicationDate, :createdAt, :updatedAt, 1)${returning}`,
        parameters: values,
      };
      const id = dialect === 'mysql' ? inserted.insertId! : Number(inserted.rows[0].id);
      yield* linkTags(id, tags, { replacing: false });
      return { row: { ...values, id, version: 1 }, tags: [...tags].sort(compareCodePoints) };
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
    const names = [...tags].sort(compareCodePoints);
    const parameters = Object.fromEntries(names.map((name, i) => [`tag${i}`, name]));
    const rows = names.map((_name, i) => `(:tag${i})`).join(', ');
    await transaction(this.dataSource, function* () {
      yield {
        // MariaDB has no DO NOTHING; setting the name to itself changes nothing and, unlike INSERT IGNORE, hides no other error.
        sql:
          dialect === 'mysql'
            ? `INSERT INTO tags (name) VALUES ${rows} ON DUPLICATE KEY UPDATE name = name`
            : `INSERT INTO tags (name) VALUES ${rows} ON CONFLICT (name) DO NOTHING`,
        parameters,
      };
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
