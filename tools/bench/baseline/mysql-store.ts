import { type Pool, type PoolConnection, type ResultSetHeader, type RowDataPacket, createPool } from 'mysql2/promise';
import type { BaselineStore, SqlPostRow } from './store';
import { changedColumns, searchKey, sqlArticleRecord, sqlPostRecord } from './store';

interface PostRow extends RowDataPacket, SqlPostRow<Date> {}

const record = (row: PostRow) => sqlPostRecord(row, (date) => date);

const postColumns = `p.id, p.author_id, p.title, p.description, p.content, p.publication_date, p.created_at, p.updated_at, p.version,
  (SELECT JSON_ARRAYAGG(t.name) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id) AS tags,
  (SELECT COUNT(*) FROM favorites fc WHERE fc.post_id = p.id) AS favorites_count`;
const byId = `SELECT ${postColumns} FROM posts p WHERE p.id = ?`;
/**
 * The service's feed (post-queries.ts): the followees a semi-join answered by follows' primary key, in the same
 * statement, held to that key as the service holds it.
 */
const following = 'p.author_id IN (SELECT f.followee_id FROM follows f FORCE INDEX (PRIMARY) WHERE f.follower_id = ?)';
interface CallbackConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}

/** The service's session setting (src/stores/typeorm/data-source.ts): the join order that stops at the LIMIT weighs more. */
const joinLimitPreference = 'SET SESSION optimizer_join_limit_pref_ratio = 5';

/**
 * A mysql2 pool of its default size, as TypeORM opens for the service, with
 * the service's settings: datetimes read and written as UTC, utf8mb4, the join preference.
 */
export function openMysqlStore(url: string): BaselineStore {
  const pool = createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), timezone: 'Z', charset: 'utf8mb4_unicode_ci' });
  // Where the server has no such setting, the connection goes on without it, as the service's does. The promise
  // pool hands its 'connection' event the callback connection underneath (mysql2's inherit_events.js).
  pool.on('connection', (connection) => (connection as unknown as CallbackConnection).query(joinLimitPreference, () => undefined));

  /** As the service runs a transaction: a deadlock victim is run again whole, up to 5 times, after a short random pause. */
  const inTransaction = async <T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await onceInTransaction(work);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'ER_LOCK_DEADLOCK' || attempt === 5) throw error;
        await new Promise((done) => setTimeout(done, 5 + Math.random() * 20 * attempt));
      }
    }
  };
  const onceInTransaction = async <T>(work: (connection: PoolConnection) => Promise<T>): Promise<T> => {
    const connection = await pool.getConnection();
    try {
      await connection.beginTransaction();
      const result = await work(connection);
      await connection.commit();
      return result;
    } catch (error) {
      await connection.rollback().catch(() => {});
      throw error;
    } finally {
      connection.release();
    }
  };

  // Names first, outside the post's transaction: inside it, concurrent writers of new names deadlock on MariaDB more often.
  // (The service writes them inside, and runs a deadlocked transaction again; so does inTransaction here.)
  const addTags = async (tags: string[]) => {
    if (tags.length > 0) await pool.query(`INSERT INTO tags (name) VALUES ${tags.map(() => '(?)').join(', ')} ON DUPLICATE KEY UPDATE name = name`, tags);
  };
  const linkTags = (connection: PoolConnection, postId: number, tags: string[]) =>
    connection.query('INSERT INTO post_tags (post_id, tag_id) SELECT ?, id FROM tags WHERE name IN (?)', [postId, tags]);

  return {
    sessionUser: async (tokenHash, now) => {
      const [rows] = await pool.query<RowDataPacket[]>('SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?', [tokenHash, now]);
      return rows.length === 0 ? null : String(rows[0].user_id);
    },
    findPost: async (id) => {
      if (!/^[1-9]\d{0,9}$/.test(id) || Number(id) > 2_147_483_647) return null;
      const [rows] = await pool.query<PostRow[]>(byId, [Number(id)]);
      return rows.length === 0 ? null : record(rows[0]);
    },
    listPosts: async (count, after) => {
      const [rows] =
        after === undefined
          ? await pool.query<PostRow[]>(`SELECT ${postColumns} FROM posts p ORDER BY p.publication_date DESC, p.id DESC LIMIT ?`, [count])
          : // The service's seek condition for MariaDB (post-queries.ts), which reads only the rows beyond the position.
            await pool.query<PostRow[]>(
              `SELECT ${postColumns} FROM posts p
               WHERE p.publication_date <= ? AND (p.publication_date < ? OR (p.publication_date = ? AND p.id < ?))
               ORDER BY p.publication_date DESC, p.id DESC LIMIT ?`,
              [after.publicationDate, after.publicationDate, after.publicationDate, Number(after.id), count],
            );
      return rows.map(record);
    },
    listFeed: async (userId, count, after) => {
      const [rows] =
        after === undefined
          ? await pool.query<PostRow[]>(`SELECT ${postColumns} FROM posts p WHERE ${following} ORDER BY p.publication_date DESC, p.id DESC LIMIT ?`, [Number(userId), count])
          : await pool.query<PostRow[]>(
              `SELECT ${postColumns} FROM posts p
               WHERE ${following} AND p.publication_date <= ? AND (p.publication_date < ? OR (p.publication_date = ? AND p.id < ?))
               ORDER BY p.publication_date DESC, p.id DESC LIMIT ?`,
              [Number(userId), after.publicationDate, after.publicationDate, after.publicationDate, Number(after.id), count],
            );
      return rows.map(record);
    },
    favoritedAmong: async (userId, postIds) => {
      const ids = [...new Set(postIds)].filter((id) => /^[1-9]\d{0,9}$/.test(id)).map(Number);
      if (ids.length === 0) return new Set();
      // mysql2 writes the array as a list: the primary key (user_id, post_id) answers each.
      const [rows] = await pool.query<RowDataPacket[]>('SELECT post_id FROM favorites WHERE user_id = ? AND post_id IN (?)', [Number(userId), ids]);
      return new Set(rows.map((row) => String(row.post_id)));
    },
    listArticles: async (count, offset, followedBy) => {
      // The service's Conduit list (post-queries.ts, sort createdAt): by IDX_posts_created; OFFSET only when skipping.
      const where = followedBy === undefined ? '' : ` WHERE ${following}`;
      const values = [...(followedBy === undefined ? [] : [Number(followedBy)]), count, ...(offset > 0 ? [offset] : [])];
      const [rows] = await pool.query<PostRow[]>(`SELECT ${postColumns} FROM posts p${where} ORDER BY p.created_at DESC, p.id DESC LIMIT ?${offset > 0 ? ' OFFSET ?' : ''}`, values);
      return rows.map((row) => sqlArticleRecord(row, (date) => date));
    },
    countArticles: async (followedBy) => {
      const [rows] =
        followedBy === undefined
          ? await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM posts p')
          : await pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM posts p WHERE ${following}`, [Number(followedBy)]);
      return Number(rows[0].n);
    },
    profilesById: async (userIds) => {
      const [rows] = await pool.query<RowDataPacket[]>('SELECT id, username, bio, image FROM users WHERE id IN (?)', [userIds.map(Number)]);
      return new Map(rows.map(({ id, username, bio, image }) => [String(id), { username, bio, image }]));
    },
    followedAmong: async (userId, userIds) => {
      // The primary key (follower_id, followee_id) answers each.
      const [rows] = await pool.query<RowDataPacket[]>('SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN (?)', [Number(userId), userIds.map(Number)]);
      return new Set(rows.map((row) => String(row.followee_id)));
    },
    createPost: async (authorId, post, now) => {
      await addTags(post.tags);
      return inTransaction(async (connection) => {
        const [inserted] = await connection.query<ResultSetHeader>(
          `INSERT INTO posts (author_id, title, title_key, description, content, content_key, publication_date, created_at, updated_at, version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
          [Number(authorId), post.title, searchKey(post.title), post.description, post.content, searchKey(post.content), post.publicationDate, now, now],
        );
        if (post.tags.length > 0) await linkTags(connection, inserted.insertId, post.tags);
        return { ...post, id: String(inserted.insertId), authorId, createdAt: now, updatedAt: now, version: 1, favoritesCount: 0 };
      });
    },
    updatePost: async (id, authorId, version, changes, now) => {
      if (changes.tags !== undefined) await addTags(changes.tags);
      return inTransaction(async (connection) => {
        const columns = changedColumns(changes, (date) => date);
        const [updated] = await connection.query<ResultSetHeader>(
          `UPDATE posts SET ${columns.map(([column]) => `${column} = ?, `).join('')}version = version + 1,
           updated_at = CASE WHEN updated_at > ? THEN updated_at ELSE ? END WHERE id = ? AND author_id = ?${version === undefined ? '' : ' AND version = ?'}`,
          [...columns.map(([, value]) => value), now, now, Number(id), Number(authorId), ...(version === undefined ? [] : [version])],
        );
        if (updated.affectedRows === 0) return null;
        if (changes.tags !== undefined) {
          await connection.query('DELETE FROM post_tags WHERE post_id = ?', [Number(id)]);
          if (changes.tags.length > 0) await linkTags(connection, Number(id), changes.tags);
        }
        // No UPDATE … RETURNING on MariaDB: the update's row lock keeps other writers out until this read.
        const [rows] = await connection.query<PostRow[]>(byId, [Number(id)]);
        return record(rows[0]);
      });
    },
    close: () => pool.end(),
  };
}


