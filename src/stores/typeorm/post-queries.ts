import { compareCodePoints, type PostFilter, type PostQuery, type PostSortField, type Position } from '../../domain/listing';
import { foldCase } from '../../domain/search';
import type { SqlDialect } from './dialect';
import { parseSqlId } from './sql-id';

const sortColumns: Record<PostSortField, string> = { publicationDate: 'publication_date', createdAt: 'created_at', title: 'title' };

/** Where each dialect finds a string inside another, comparing exactly: no pattern, so `%`, `_` and `\` are plain characters. */
const containsKey: Record<SqlDialect, (column: string) => string> = {
  sqlite: (column) => `instr(${column}, :q) > 0`,
  postgres: (column) => `strpos(${column}, :q) > 0`,
  // The key columns are utf8mb4_bin, so LOCATE compares bytes, not MariaDB's folding.
  mysql: (column) => `LOCATE(:q, ${column}) > 0`,
};

/** Each dialect's JSON array of a post's tag names, read in the same statement as the post. */
const tagsJson: Record<SqlDialect, string> = {
  sqlite: 'json_group_array(t.name)',
  postgres: "COALESCE(json_agg(t.name), '[]')",
  mysql: 'JSON_ARRAYAGG(t.name)',
};

/** A statement's conditions and order, as text with named parameters, apart from their values. */
export interface PostStatement {
  where: string[];
  parameters: Record<string, unknown>;
  order: [column: string, direction: 'ASC' | 'DESC'][];
  limit?: number;
  offset?: number;
}

/** How a dialect quotes a name. */
type Escape = (name: string) => string;

/**
 * The posts a filter matches; null when it can match none (an authorId no SQL
 * row could have). A tag filter is one EXISTS per tag, each answered by the
 * primary key of post_tags; search compares the case-folded keys with the
 * folded query.
 */
export function filteredPosts(dialect: SqlDialect, filter: PostFilter): PostStatement | null {
  const statement: PostStatement = { where: [], parameters: {}, order: [] };
  const where = (condition: string, parameters: Record<string, unknown>) => {
    statement.where.push(condition);
    Object.assign(statement.parameters, parameters);
  };
  if (filter.authorId !== undefined) {
    const authorId = parseSqlId(filter.authorId);
    if (authorId === null) return null;
    where('post.author_id = :authorId', { authorId });
  }
  if (filter.followedBy !== undefined) {
    // The feed: a semi-join answered by follows' primary key (follower_id, followee_id), in the same statement.
    // MariaDB is held to that key: when it reads the posts first, in the sort's order, it would otherwise check
    // each against all the reader's follows by (follower_id, created_at, followee_id).
    const followerId = parseSqlId(filter.followedBy);
    if (followerId === null) return null;
    const follows = dialect === 'mysql' ? 'follows f FORCE INDEX (PRIMARY)' : 'follows f';
    where(`post.author_id IN (SELECT f.followee_id FROM ${follows} WHERE f.follower_id = :followerId)`, { followerId });
  }
  if (filter.publishedAfter !== undefined) where('post.publication_date > :publishedAfter', { publishedAfter: filter.publishedAfter });
  if (filter.publishedBefore !== undefined) where('post.publication_date < :publishedBefore', { publishedBefore: filter.publishedBefore });
  for (const [i, tag] of (filter.tags ?? []).entries()) {
    where(`EXISTS (SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = post.id AND t.name = :tag${i})`, { [`tag${i}`]: tag });
  }
  if (filter.favoritedBy !== undefined) {
    const favoritedBy = parseSqlId(filter.favoritedBy);
    if (favoritedBy === null) return null;
    // The primary key (user_id, post_id) answers it for each post.
    where('EXISTS (SELECT 1 FROM favorites fb WHERE fb.user_id = :favoritedBy AND fb.post_id = post.id)', { favoritedBy });
  }
  if (filter.q !== undefined) {
    const contains = containsKey[dialect];
    where(`(${contains('post.title_key')} OR ${contains('post.content_key')})`, { q: foldCase(filter.q) });
  }
  return statement;
}

/** The column a statement also selects each post's tags into, as a JSON array; `posts` names the posts table in it. */
export function tagsColumn(dialect: SqlDialect, posts = 'post'): string {
  return `(SELECT ${tagsJson[dialect]} FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = ${posts}.id)`;
}

/**
 * The column a statement also selects each post's favorites count into: counted from the index led by the
 * post's id, in the same statement as the post, so the count is of the same moment and needs no upkeep.
 */
export function favoritesCountColumn(posts = 'post'): string {
  return `(SELECT COUNT(*) FROM favorites fc WHERE fc.post_id = ${posts}.id)`;
}

/** The tag names a row carries in its tags column, in code-point order. */
export function parseTags(raw: unknown): string[] {
  const names = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? [])) as string[];
  return names.sort(compareCodePoints);
}
/**
 * Rows beyond the position `(:{name}Value, :{name}Id)`, spelt so that each
 * dialect reads only them from the index on (column, id). The first term
 * bounds the range by itself (without it SQLite and PostgreSQL read every row
 * before the position); the rest must bound it within the rows that share the
 * sort value, or a deep page reads all of them (hundreds where many posts
 * share a date). PostgreSQL does that with a row comparison; MariaDB reads
 * every row for one, so there the equal value is its own branch. `upTo` is the
 * other end of a range: the rows before the position, and the row at it.
 */
type Seek = (column: string, id: string, beyond: '<' | '>', name: string, upTo: boolean) => string;
const seekCondition: Record<SqlDialect, Seek> = {
  sqlite: (column, id, beyond, name, upTo) => `${column} ${beyond}= :${name}Value AND (${column} ${beyond} :${name}Value OR ${id} ${beyond}${upTo ? '=' : ''} :${name}Id)`,
  postgres: (column, id, beyond, name, upTo) => `${column} ${beyond}= :${name}Value AND (${column}, ${id}) ${beyond}${upTo ? '=' : ''} (:${name}Value, :${name}Id)`,
  mysql: (column, id, beyond, name, upTo) =>
    `${column} ${beyond}= :${name}Value AND (${column} ${beyond} :${name}Value OR (${column} = :${name}Value AND ${id} ${beyond}${upTo ? '=' : ''} :${name}Id))`,
};

/**
 * One keyset page: `(value, id)` beyond the position, in the sort's order,
 * one more row than asked for to tell whether more follow. On PostgreSQL titles compare in the "C" collation, by code
 * point, as the index does; MariaDB's title column is binary already. A search page reads no further than `upTo`, the
 * last post it may examine (see lastExamined), when there is one.
 */
export function postPage(dialect: SqlDialect, escape: Escape, query: PostQuery, upTo?: Position): PostStatement | null {
  const statement = filteredPosts(dialect, query.filter);
  if (statement === null || !seek(dialect, escape, statement, query, upTo)) return null;
  statement.limit = query.limit + 1;
  if (query.skip) statement.offset = query.skip;
  return statement;
}

/**
 * The position of the last post a search page may examine: the `scanLimit`-th
 * post after the page's position that the filters other than the search
 * match, read from the sort's index alone. No row when fewer remain.
 */
export function lastExamined(dialect: SqlDialect, escape: Escape, query: PostQuery, scanLimit: number): PostStatement | null {
  const statement = filteredPosts(dialect, { ...query.filter, q: undefined });
  if (statement === null || !seek(dialect, escape, statement, query)) return null;
  statement.limit = 1;
  statement.offset = scanLimit - 1;
  return statement;
}

/** Adds the position's bounds and the sort's order to a statement; false when the position names no possible row. */
function seek(dialect: SqlDialect, escape: Escape, statement: PostStatement, { sort, after }: PostQuery, upTo?: Position): boolean {
  const column = `${escape('post')}.${escape(sortColumns[sort.field])}${sort.field === 'title' && dialect === 'postgres' ? ' COLLATE "C"' : ''}`;
  const id = `${escape('post')}.${escape('id')}`;
  const beyond = sort.direction === 'desc' ? '<' : '>';
  for (const [name, position, before] of [['after', after, false], ['upTo', upTo, true]] as const) {
    if (position === undefined) continue;
    const rowId = parseSqlId(position.id);
    if (rowId === null) return false;
    statement.where.push(seekCondition[dialect](column, id, before ? (beyond === '<' ? '>' : '<') : beyond, name, before));
    Object.assign(statement.parameters, { [`${name}Value`]: position.value, [`${name}Id`]: rowId });
  }
  const order = sort.direction === 'desc' ? 'DESC' : 'ASC';
  statement.order.push([column, order], [id, order]);
  return true;
}
