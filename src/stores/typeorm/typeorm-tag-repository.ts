import type { DataSource } from 'typeorm';
import type { Slice } from '../../domain/listing';
import type { TagRepository } from '../../domain/repositories';
import type { TagCount, TagQuery } from '../../domain/tags';
import { type SqlDialect, dialectOf } from './dialect';

export class TypeOrmTagRepository implements TagRepository {
  private readonly dialect: SqlDialect;

  constructor(private readonly dataSource: DataSource) {
    this.dialect = dialectOf(dataSource.options);
  }

  /**
   * Counted from post_tags, so a name whose posts are all gone is not
   * listed. Names compare by code point: "C" on PostgreSQL, the binary
   * collation of the column on MariaDB, SQLite's own byte order.
   */
  async find({ limit, after, skip }: TagQuery): Promise<Slice<TagCount>> {
    const name = this.dialect === 'postgres' ? 't.name COLLATE "C"' : 't.name';
    const seek = after === undefined ? '' : `HAVING COUNT(*) < :afterCount OR (COUNT(*) = :afterCount AND ${name} > :afterName)`;
    const [sql, parameters] = this.dataSource.driver.escapeQueryWithParameters(
      `SELECT t.name AS name, COUNT(*) AS post_count FROM tags t JOIN post_tags pt ON pt.tag_id = t.id
       GROUP BY t.id, t.name ${seek} ORDER BY post_count DESC, ${name} ASC LIMIT :limit OFFSET :skip`,
      { afterCount: after?.postCount, afterName: after?.name, limit: limit + 1, skip: skip ?? 0 },
    );
    const rows = (await this.dataSource.query(sql, parameters)) as { name: string; post_count: number | string }[];
    const tags = rows.map((row) => ({ name: row.name, postCount: Number(row.post_count) }));
    return { items: tags.slice(0, limit), hasMore: tags.length > limit };
  }

  /** Names some post carries: a name whose posts are all gone is still a row of tags, and not counted. */
  async count(): Promise<number> {
    const [row] = (await this.dataSource.query('SELECT COUNT(DISTINCT tag_id) AS total FROM post_tags')) as { total: number | string }[];
    return Number(row.total);
  }
}
