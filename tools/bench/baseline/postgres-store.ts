import { createHash } from 'node:crypto';
import pg from 'pg';
import type { BaselineStore, ProfileRecord, SqlPostRow } from './store';
import { changedColumns, searchKey, sqlArticleRecord, sqlPostRecord } from './store';

type PostRow = SqlPostRow<Date>;

const record = (row: PostRow) => sqlPostRecord(row, (date) => date);

const postColumns = `p.id, p.author_id, p.title, p.description, p.content, p.publication_date, p.created_at, p.updated_at, p.version,
  (SELECT COALESCE(json_agg(t.name), '[]') FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id) AS tags,
  (SELECT COUNT(*) FROM favorites fc WHERE fc.post_id = p.id) AS favorites_count`;
const byId = `SELECT ${postColumns} FROM posts p WHERE p.id = $1`;
/** The service's feed (post-queries.ts): the followees a semi-join answered by follows' primary key, in the same statement. */
const following = 'p.author_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = $1)';

/**
 * A named statement: pg parses and plans it once per connection, as the service's post reads are (see
 * src/stores/typeorm/post-reads.ts), rather than on every request. Named by its text, so each text is one name.
 */
function named(text: string, values: unknown[]): pg.QueryConfig {
  return { name: `baseline-${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, values };
}

/** A pg Pool of pg's default size, as TypeORM opens for the service; timestamps are passed as ISO text; every statement with values is named. */
export function openPostgresStore(url: string): BaselineStore {
  const pool = new pg.Pool({ connectionString: url });

  /** As the service runs a transaction: a deadlock victim is run again whole, up to 5 times, after a short random pause. */
  const inTransaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await onceInTransaction(work);
      } catch (error) {
        if ((error as { code?: unknown }).code !== '40P01' || attempt === 5) throw error;
        await new Promise((done) => setTimeout(done, 5 + Math.random() * 20 * attempt));
      }
    }
  };
  const onceInTransaction = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };

  // Names first, in a statement of their own, as the service does: they are never deleted, so they stay for the post.
  const addTags = async (tags: string[]) => {
    if (tags.length > 0) await pool.query(named('INSERT INTO tags (name) SELECT unnest($1::varchar[]) ON CONFLICT (name) DO NOTHING', [tags]));
  };
  const linkTags = (client: pg.PoolClient, postId: number, tags: string[]) =>
    client.query(named('INSERT INTO post_tags (post_id, tag_id) SELECT $1, id FROM tags WHERE name = ANY($2)', [postId, tags]));

  return {
    sessionUser: async (tokenHash, now) => {
      const { rows } = await pool.query<{ user_id: number }>(named('SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2', [tokenHash, now.toISOString()]));
      return rows.length === 0 ? null : String(rows[0].user_id);
    },
    findPost: async (id) => {
      if (!/^[1-9]\d{0,9}$/.test(id) || Number(id) > 2_147_483_647) return null;
      const { rows } = await pool.query<PostRow>(named(byId, [id]));
      return rows.length === 0 ? null : record(rows[0]);
    },
    listPosts: async (count, after) => {
      const { rows } =
        after === undefined
          ? await pool.query<PostRow>(named(`SELECT ${postColumns} FROM posts p ORDER BY p.publication_date DESC, p.id DESC LIMIT $1`, [count]))
          : // The service's row comparison (post-queries.ts), so both read the same index range.
            await pool.query<PostRow>(
              named(
                `SELECT ${postColumns} FROM posts p WHERE p.publication_date <= $1 AND (p.publication_date, p.id) < ($1, $2)
                 ORDER BY p.publication_date DESC, p.id DESC LIMIT $3`,
                [after.publicationDate.toISOString(), after.id, count],
              ),
            );
      return rows.map(record);
    },
    listFeed: async (userId, count, after) => {
      const { rows } =
        after === undefined
          ? await pool.query<PostRow>(named(`SELECT ${postColumns} FROM posts p WHERE ${following} ORDER BY p.publication_date DESC, p.id DESC LIMIT $2`, [userId, count]))
          : await pool.query<PostRow>(
              named(
                `SELECT ${postColumns} FROM posts p WHERE ${following} AND p.publication_date <= $2 AND (p.publication_date, p.id) < ($2, $3)
                 ORDER BY p.publication_date DESC, p.id DESC LIMIT $4`,
                [userId, after.publicationDate.toISOString(), after.id, count],
              ),
            );
      return rows.map(record);
    },
    favoritedAmong: async (userId, postIds) => {
      const ids = [...new Set(postIds)].filter((id) => /^[1-9]\d{0,9}$/.test(id) && Number(id) <= 2_147_483_647);
      if (ids.length === 0) return new Set();
      // One statement for any number of posts: the primary key (user_id, post_id) answers each.
      const { rows } = await pool.query<{ post_id: number }>(named('SELECT post_id FROM favorites WHERE user_id = $1 AND post_id = ANY($2::integer[])', [userId, ids]));
      return new Set(rows.map((row) => String(row.post_id)));
    },
    listArticles: async (count, offset, followedBy) => {
      // The service's Conduit list (post-queries.ts, sort createdAt): by IDX_posts_created; OFFSET only when skipping.
      const where = followedBy === undefined ? '' : ` WHERE ${following}`;
      const values: unknown[] = followedBy === undefined ? [] : [followedBy];
      const limit = `LIMIT $${values.push(count)}${offset > 0 ? ` OFFSET $${values.push(offset)}` : ''}`;
      const { rows } = await pool.query<PostRow>(named(`SELECT ${postColumns} FROM posts p${where} ORDER BY p.created_at DESC, p.id DESC ${limit}`, values));
      return rows.map((row) => sqlArticleRecord(row, (date) => date));
    },
    countArticles: async (followedBy) => {
      const { rows } =
        followedBy === undefined
          ? await pool.query<{ n: string }>(named('SELECT COUNT(*) AS n FROM posts p', []))
          : await pool.query<{ n: string }>(named(`SELECT COUNT(*) AS n FROM posts p WHERE ${following}`, [followedBy]));
      return Number(rows[0].n);
    },
    profilesById: async (userIds) => {
      const { rows } = await pool.query<ProfileRecord & { id: number }>(named('SELECT id, username, bio, image FROM users WHERE id = ANY($1::integer[])', [userIds]));
      return new Map(rows.map(({ id, username, bio, image }) => [String(id), { username, bio, image }]));
    },
    followedAmong: async (userId, userIds) => {
      // The primary key (follower_id, followee_id) answers each.
      const { rows } = await pool.query<{ followee_id: number }>(named('SELECT followee_id FROM follows WHERE follower_id = $1 AND followee_id = ANY($2::integer[])', [userId, userIds]));
      return new Set(rows.map((row) => String(row.followee_id)));
    },
    createPost: async (authorId, post, now) => {
      await addTags(post.tags);
      return inTransaction(async (client) => {
        const { rows } = await client.query<{ id: number }>(
          named(
            `INSERT INTO posts (author_id, title, title_key, description, content, content_key, publication_date, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) RETURNING id`,
            [authorId, post.title, searchKey(post.title), post.description, post.content, searchKey(post.content), post.publicationDate.toISOString(), now.toISOString()],
          ),
        );
        if (post.tags.length > 0) await linkTags(client, rows[0].id, post.tags);
        return { ...post, id: String(rows[0].id), authorId, createdAt: now, updatedAt: now, version: 1, favoritesCount: 0 };
      });
    },
    updatePost: async (id, authorId, version, changes, now) => {
      if (changes.tags !== undefined) await addTags(changes.tags);
      return inTransaction(async (client) => {
        const columns = changedColumns(changes, (date) => date.toISOString());
        const values: unknown[] = [...columns.map(([, value]) => value), now.toISOString(), id, authorId, ...(version === undefined ? [] : [version])];
        const n = columns.length;
        const set = columns.map(([column], i) => `${column} = $${i + 1}, `).join('');
        const { rowCount } = await client.query(
          named(
            `UPDATE posts SET ${set}version = version + 1, updated_at = CASE WHEN updated_at > $${n + 1} THEN updated_at ELSE $${n + 1} END
             WHERE id = $${n + 2} AND author_id = $${n + 3}${version === undefined ? '' : ` AND version = $${n + 4}`}`,
            values,
          ),
        );
        if (rowCount === 0) return null;
        if (changes.tags !== undefined) {
          await client.query(named('DELETE FROM post_tags WHERE post_id = $1', [id]));
          if (changes.tags.length > 0) await linkTags(client, Number(id), changes.tags);
        }
        return record((await client.query<PostRow>(named(byId, [id]))).rows[0]);
      });
    },
    close: () => pool.end(),
  };
}


