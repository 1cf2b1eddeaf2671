import Database from 'better-sqlite3';
import { SqliteReader } from './sqlite-reader';
import type { BaselineStore, NewPostRecord, PostRecordChanges, ProfileRecord, SqlPostRow } from './store';
import { changedColumns, searchKey, sqlArticleRecord, sqlPostRecord } from './store';

type PostRow = SqlPostRow<string>;

const record = (row: PostRow) => sqlPostRecord(row, instant);

/** A post's columns and its tags as a JSON array, read in one statement as the service does. */
const postColumns = `p.id, p.author_id, p.title, p.description, p.content, p.publication_date, p.created_at, p.updated_at, p.version,
  (SELECT json_group_array(t.name) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id) AS tags,
  (SELECT COUNT(*) FROM favorites fc WHERE fc.post_id = p.id) AS favorites_count`;

/** better-sqlite3 with one prepared statement per query, on the file the service uses. */
export function openSqliteStore(path: string): BaselineStore {
  const db = new Database(path, { timeout: 5_000 });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');

  const session = db.prepare<[string, string], { user_id: number }>('SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?');
  const byId = db.prepare<[number], PostRow>(`SELECT ${postColumns} FROM posts p WHERE p.id = ?`);
  const firstPage = db.prepare<[number], PostRow>(`SELECT ${postColumns} FROM posts p ORDER BY p.publication_date DESC, p.id DESC LIMIT ?`);
  // The service's seek condition for SQLite (post-queries.ts), so both read the same index range.
  const nextPage = db.prepare<{ date: string; id: number; count: number }, PostRow>(
    `SELECT ${postColumns} FROM posts p WHERE p.publication_date <= :date AND (p.publication_date < :date OR p.id < :id)
     ORDER BY p.publication_date DESC, p.id DESC LIMIT :count`,
  );
  // The service's feed (post-queries.ts): the followees a semi-join answered by follows' primary key, in the same statement.
  const following = 'p.author_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = :reader)';
  const firstFeedPage = db.prepare<{ reader: number; count: number }, PostRow>(
    `SELECT ${postColumns} FROM posts p WHERE ${following} ORDER BY p.publication_date DESC, p.id DESC LIMIT :count`,
  );
  const nextFeedPage = db.prepare<{ reader: number; date: string; id: number; count: number }, PostRow>(
    `SELECT ${postColumns} FROM posts p WHERE ${following} AND p.publication_date <= :date AND (p.publication_date < :date OR p.id < :id)
     ORDER BY p.publication_date DESC, p.id DESC LIMIT :count`,
  );
  /** Which of some posts a user favorites, by the primary key (user_id, post_id): one statement per number of posts, prepared once. */
  const favoritedStatements = new Map<number, Database.Statement<number[], { post_id: number }>>();
  const favoritedAmong = (count: number) => {
    let statement = favoritedStatements.get(count);
    if (statement === undefined) {
      statement = db.prepare(`SELECT post_id FROM favorites WHERE user_id = ? AND post_id IN (${Array.from({ length: count }, () => '?').join(', ')})`);
      favoritedStatements.set(count, statement);
    }
    return statement;
  };
  /** One statement per number of values in an IN list, prepared once. */
  const byCount = <R>(statements: Map<number, Database.Statement<unknown[], R>>, sql: (list: string) => string, count: number) => {
    let statement = statements.get(count);
    if (statement === undefined) statements.set(count, (statement = db.prepare(sql(Array.from({ length: count }, () => '?').join(', ')))));
    return statement;
  };
  const profileStatements = new Map<number, Database.Statement<unknown[], ProfileRecord & { id: number }>>();
  const followedStatements = new Map<number, Database.Statement<unknown[], { followee_id: number }>>();
  // The Conduit list and its count may examine many rows: on a thread of their own, as the service reads them.
  const reader = new SqliteReader(path);
  /** The service's Conduit list (post-queries.ts, sort createdAt): by IDX_posts_created, one more row than shown; OFFSET only when skipping. */
  const articles = (where: string, offset: number) =>
    `SELECT ${postColumns} FROM posts p${where} ORDER BY p.created_at DESC, p.id DESC LIMIT ?${offset > 0 ? ' OFFSET ?' : ''}`;
  const followingReader = 'p.author_id IN (SELECT f.followee_id FROM follows f WHERE f.follower_id = ?)';
  const addTag = db.prepare('INSERT INTO tags (name) VALUES (?) ON CONFLICT (name) DO NOTHING');
  const addPost = db.prepare<unknown[], { id: number }>(
    `INSERT INTO posts (author_id, title, title_key, description, content, content_key, publication_date, created_at, updated_at, version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`,
  );
  const linkTag = db.prepare('INSERT INTO post_tags (post_id, tag_id) SELECT ?, id FROM tags WHERE name = ?');
  const unlinkTags = db.prepare('DELETE FROM post_tags WHERE post_id = ?');
  /** One UPDATE per set of changed columns, prepared once. */
  const updates = new Map<string, Database.Statement<unknown[], { id: number }>>();

  const setTags = (postId: number, tags: string[]) => {
    for (const tag of tags) addTag.run(tag);
    for (const tag of tags) linkTag.run(postId, tag);
  };

  const create = db.transaction((authorId: number, post: NewPostRecord, now: string) => {
    const { id } = addPost.get(authorId, post.title, searchKey(post.title), post.description, post.content, searchKey(post.content), text(post.publicationDate), now, now)!;
    setTags(id, post.tags);
    return id;
  });

  const update = db.transaction((id: number, authorId: number, version: number | undefined, changes: PostRecordChanges, now: string) => {
    const columns = changedColumns(changes, text);
    const sql = `UPDATE posts SET ${columns.map(([column]) => `${column} = ?`).join(', ')}${columns.length > 0 ? ', ' : ''}version = version + 1,
      updated_at = CASE WHEN updated_at > ? THEN updated_at ELSE ? END WHERE id = ? AND author_id = ?${version === undefined ? '' : ' AND version = ?'} RETURNING id`;
    let statement = updates.get(sql);
    if (statement === undefined) updates.set(sql, (statement = db.prepare(sql)));
    const values = [...columns.map(([, value]) => value), now, now, id, authorId, ...(version === undefined ? [] : [version])];
    if (statement.get(...values) === undefined) return undefined;
    if (changes.tags !== undefined) {
      unlinkTags.run(id);
      setTags(id, changes.tags);
    }
    return byId.get(id);
  });

  return {
    sessionUser: async (tokenHash, now) => {
      const row = session.get(tokenHash, text(now));
      return row === undefined ? null : String(row.user_id);
    },
    findPost: async (id) => {
      const row = /^[1-9]\d{0,9}$/.test(id) ? byId.get(Number(id)) : undefined;
      return row === undefined ? null : record(row);
    },
    listPosts: async (count, after) =>
      (after === undefined ? firstPage.all(count) : nextPage.all({ date: text(after.publicationDate), id: Number(after.id), count })).map(record),
    listFeed: async (userId, count, after) => {
      const reader = Number(userId);
      const rows = after === undefined ? firstFeedPage.all({ reader, count }) : nextFeedPage.all({ reader, date: text(after.publicationDate), id: Number(after.id), count });
      return rows.map(record);
    },
    favoritedAmong: async (userId, postIds) => {
      const ids = [...new Set(postIds)].filter((id) => /^[1-9]\d{0,9}$/.test(id)).map(Number);
      if (ids.length === 0) return new Set();
      return new Set(favoritedAmong(ids.length).all(Number(userId), ...ids).map((row) => String(row.post_id)));
    },
    listArticles: async (count, offset, followedBy) => {
      const where = followedBy === undefined ? '' : ` WHERE ${followingReader}`;
      const values = [...(followedBy === undefined ? [] : [Number(followedBy)]), count, ...(offset > 0 ? [offset] : [])];
      return (await reader.all<PostRow>(articles(where, offset), values)).map((row) => sqlArticleRecord(row, instant));
    },
    countArticles: async (followedBy) => {
      const [row] =
        followedBy === undefined
          ? await reader.all<{ n: number }>('SELECT COUNT(*) AS n FROM posts p', [])
          : await reader.all<{ n: number }>(`SELECT COUNT(*) AS n FROM posts p WHERE ${followingReader}`, [Number(followedBy)]);
      return row.n;
    },
    profilesById: async (userIds) => {
      const ids = userIds.map(Number);
      const rows = byCount(profileStatements, (list) => `SELECT id, username, bio, image FROM users WHERE id IN (${list})`, ids.length).all(...ids);
      return new Map(rows.map(({ id, username, bio, image }) => [String(id), { username, bio, image }]));
    },
    followedAmong: async (userId, userIds) => {
      const ids = userIds.map(Number);
      const statement = byCount(followedStatements, (list) => `SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN (${list})`, ids.length);
      return new Set(statement.all(Number(userId), ...ids).map((row) => String(row.followee_id)));
    },
    createPost: async (authorId, post, now) => {
      const id = create.immediate(Number(authorId), post, text(now));
      return { ...post, id: String(id), authorId, createdAt: now, updatedAt: now, version: 1, favoritesCount: 0 };
    },
    updatePost: async (id, authorId, version, changes, now) => {
      const row = update.immediate(Number(id), Number(authorId), version, changes, text(now));
      return row === undefined ? null : record(row);
    },
    close: async () => {
      await reader.close();
      db.close();
    },
  };
}


/** TypeORM keeps SQLite datetimes as UTC text, `2024-05-01 12:00:00.000`. */
function text(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

function instant(value: string): Date {
  return new Date(`${value.replace(' ', 'T')}Z`);
}

