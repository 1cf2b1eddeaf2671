import type { Repository, SelectQueryBuilder } from 'typeorm';
import type { PostFilter, PostQuery, PostSortField } from '../../domain/listing';
import type { SqlDialect } from './dialect';
import type { PostRow } from './entities';
import { parseSqlId } from './sql-id';

const sortColumns: Record<PostSortField, string> = { publicationDate: 'publication_date', createdAt: 'created_at', title: 'title' };

/**
 * The posts a filter matches; null when it can match none (an authorId no SQL
 * row could have).
 */
export function filteredPosts(rows: Repository<PostRow>, filter: PostFilter): SelectQueryBuilder<PostRow> | null {
  const query = rows.createQueryBuilder('post');
  if (filter.authorId !== undefined) {
    const authorId = parseSqlId(filter.authorId);
    if (authorId === null) return null;
    query.andWhere('post.author_id = :authorId', { authorId });
  }
  if (filter.publishedAfter !== undefined) query.andWhere('post.publication_date > :publishedAfter', { publishedAfter: filter.publishedAfter });
  if (filter.publishedBefore !== undefined) query.andWhere('post.publication_date < :publishedBefore', { publishedBefore: filter.publishedBefore });
  return query;
}

/**
 * One keyset page: `(value, id)` beyond the position, in the sort's order,
 * one more row than asked for to tell whether more follow. The comparison is
 * spelt out (not a row value) so that every dialect can use the index on
 * (column, id). On PostgreSQL titles compare in the "C" collation, by code
 * point, as the index does; MariaDB's title column is binary already.
 */
export function postPage(rows: Repository<PostRow>, dialect: SqlDialect, { sort, filter, limit, after, skip }: PostQuery): SelectQueryBuilder<PostRow> | null {
  const query = filteredPosts(rows, filter);
  if (query === null) return null;
  const column = `${query.escape('post')}.${query.escape(sortColumns[sort.field])}${sort.field === 'title' && dialect === 'postgres' ? ' COLLATE "C"' : ''}`;
  const id = `${query.escape('post')}.${query.escape('id')}`;
  if (after !== undefined) {
    const afterId = parseSqlId(after.id);
    if (afterId === null) return null;
    const beyond = sort.direction === 'desc' ? '<' : '>';
    // The first term bounds the index range by itself; without it, SQLite and PostgreSQL read every row
    // before the position and filter them out.
    query.andWhere(`${column} ${beyond}= :afterValue AND (${column} ${beyond} :afterValue OR ${id} ${beyond} :afterId)`, {
      afterValue: after.value,
      afterId,
    });
  }
  const order = sort.direction === 'desc' ? 'DESC' : 'ASC';
  query.orderBy(column, order).addOrderBy(id, order).limit(limit + 1);
  return skip ? query.offset(skip) : query;
}
