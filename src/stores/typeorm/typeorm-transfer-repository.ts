import type { DataSource } from 'typeorm';
import { ConflictError, InvalidReferenceError } from '../../domain/errors';
import type { TransferRepository } from '../../domain/repositories';
import { foldCase } from '../../domain/search';
import type {
  CopiedComment,
  CopiedFavorite,
  CopiedFollow,
  CopiedPost,
  CopiedRecords,
  CopiedUser,
  CopyProgress,
  IdFamily,
  IdentifiedKind,
  RecordKind,
  RecordPage,
} from '../../domain/transfer';
import { storedProfile } from '../../domain/user';
import { type ColumnValues, chunks, columnValues, insertStatements, insertWithIds } from './bulk-inserts';
import { deferredIndexesQuery, indexBuildMemory } from './deferred-indexes';
import { type SqlDialect, dialectOf } from './dialect';
import { DirectStatements } from './direct-statements';
import type { Entities } from './entities';
import { tagsColumn, parseTags } from './post-queries';
import { addTagNames, readTagIds } from './post-writes';
import { isUniqueViolation } from './sql-errors';
import { parseSqlId } from './sql-id';
import { type Work, transaction } from './transactions';
import { hydrate } from './versioned-writes';

/** Each kind's table, and the columns of its key, in the order of its pages. */
const tables: Record<RecordKind, { table: string; key: [string] | [string, string] }> = {
  users: { table: 'users', key: ['id'] },
  posts: { table: 'posts', key: ['id'] },
  follows: { table: 'follows', key: ['follower_id', 'followee_id'] },
  favorites: { table: 'favorites', key: ['user_id', 'post_id'] },
  comments: { table: 'comments', key: ['id'] },
};

/** A pair already stored is left as it is: SQLite and PostgreSQL skip it, MariaDB sets a column to itself. */
const skippingPairs: Record<SqlDialect, (column: string) => string> = {
  sqlite: () => ' ON CONFLICT DO NOTHING',
  postgres: () => ' ON CONFLICT DO NOTHING',
  mysql: (column) => ` ON DUPLICATE KEY UPDATE ${column} = ${column}`,
};

/** The tables whose secondary indexes and foreign keys a copy into PostgreSQL builds at its end. */
const deferredTables = ['users', 'posts', 'post_tags', 'comments', 'follows', 'favorites'];

/** The progress row's key: there is never another. */
const progressId = 1;

/**
 * A copy's reads and writes on a SQL store. Pages are ranges of each table's primary key. Each batch is one
 * transaction with its position, so a copy stopped anywhere goes on from the last batch kept; a record an
 * earlier try wrote (its id there, its old id in moved_ids, its pair there) is skipped.
 *
 * From a SQL source the ids are kept. From MongoDB, users take ids this store issues; posts and comments take
 * their `number` as id, which keeps slugs and Conduit comment ids. Either way, moved_ids maps each old id to its
 * new one, and references of later kinds are translated by it.
 */
export class TypeOrmTransferRepository implements TransferRepository {
  private readonly statements: DirectStatements;
  private readonly dialect: SqlDialect;
  private readonly userColumns: string;
  private readonly postColumns: string;
  private readonly commentColumns: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schemas: Entities,
    /** Whether INSERT … RETURNING works here (see insertCanReturn). */
    private readonly returning: boolean,
  ) {
    this.statements = new DirectStatements(dataSource, 'transfer');
    this.dialect = dialectOf(dataSource.options);
    const columns = (schema: Entities[keyof Entities], alias: string) =>
      dataSource
        .getMetadata(schema)
        .columns.filter((column) => column.isSelect)
        .map(({ databaseName }) => `${alias}.${databaseName}`);
    // The hash is never selected by the entity's reads; a copy moves it.
    this.userColumns = [...columns(schemas.user, 'u'), 'u.password_hash'].join(', ');
    this.postColumns = [...columns(schemas.post, 'p'), `${tagsColumn(this.dialect, 'p')} AS tags`].join(', ');
    this.commentColumns = columns(schemas.comment, 'c').join(', ');
  }

  /** Pages of the primary key: the key's index makes each as cheap as the next. */
  async *scan<K extends RecordKind>(kind: K, batch: number): AsyncIterable<CopiedRecords[K][]> {
    let after: string | null = null;
    do {
      const page: RecordPage<K> = await this.read(kind, after, batch);
      yield page.records;
      after = page.next;
    } while (after !== null);
  }

  async read<K extends RecordKind>(kind: K, after: string | null, limit: number): Promise<RecordPage<K>> {
    const { key } = tables[kind];
    const position = parsePosition(kind, after);
    const [first, second] = key;
    // A range of the primary key: the first term bounds it, the second orders within one first value.
    const beyond = second === undefined ? `${first} > :a` : `${first} >= :a AND (${first} > :a OR ${second} > :b)`;
    const from: Record<RecordKind, string> = {
      users: `SELECT ${this.userColumns} FROM users u`,
      posts: `SELECT ${this.postColumns} FROM posts p`,
      comments: `SELECT ${this.commentColumns} FROM comments c`,
      follows: 'SELECT follower_id, followee_id, created_at FROM follows',
      favorites: 'SELECT user_id, post_id, created_at FROM favorites',
    };
    const { rows } = await this.statements.run(`${from[kind]} WHERE ${beyond} ORDER BY ${key.join(', ')} LIMIT :limit`, {
      a: position[0],
      b: position[1] ?? 0,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      records: page.map((raw) => this.record(kind, raw)),
      next: rows.length > limit && last !== undefined ? key.map((column) => String(last[column])).join(':') : null,
    };
  }

  async count(kind: RecordKind): Promise<number> {
    const [{ n }] = (await this.statements.run(`SELECT COUNT(*) AS n FROM ${tables[kind].table}`)).rows;
    return Number(n);
  }

  async progress(): Promise<CopyProgress | null> {
    const [raw] = (await this.statements.run('SELECT source, source_family, positions, finished FROM copy_progress')).rows;
    return raw === undefined ? null : toProgress(raw);
  }

  async begin({ source, sourceFamily }: Omit<CopyProgress, 'positions' | 'finished'>): Promise<void> {
    const held = ['copy_progress', ...Object.values(tables).map(({ table }) => table)].map((table) => `EXISTS (SELECT 1 FROM ${table})`);
    const dialect = this.dialect;
    try {
      await transaction(this.dataSource, function* () {
        const [{ taken }] = (yield { sql: `SELECT CASE WHEN ${held.join(' OR ')} THEN 1 ELSE 0 END AS taken` }).rows;
        if (Number(taken) === 1) throw new ConflictError('copy', 'target');
        // PostgreSQL builds the indexes and checks the foreign keys of the copied tables once, at the end.
        let deferred: string[] = [];
        if (dialect === 'postgres') {
          const { rows } = yield { sql: deferredIndexesQuery(deferredTables) };
          for (const { drop } of rows) yield { sql: String(drop) };
          deferred = rows.map(({ add }) => String(add)).reverse();
        }
        yield {
          sql: "INSERT INTO copy_progress (id, source, source_family, positions, finished, deferred) VALUES (:id, :source, :sourceFamily, '{}', FALSE, :deferred)",
          parameters: { id: progressId, source, sourceFamily, deferred: deferred.length === 0 ? null : JSON.stringify(deferred) },
        };
      });
    } catch (error) {
      // Another copy began in between.
      throw isUniqueViolation(error) ? new ConflictError('copy', 'target') : error;
    }
  }

  async write<K extends RecordKind>(kind: K, records: CopiedRecords[K][], position: string | null): Promise<void> {
    await transaction(this.dataSource, () => this.writeBatch(kind, records, position));
  }

  async finish(): Promise<void> {
    const dialect = this.dialect;
    await transaction(this.dataSource, function* () {
      yield* lockedProgress(dialect);
      const [{ deferred }] = (yield { sql: 'SELECT deferred FROM copy_progress WHERE id = :id', parameters: { id: progressId } }).rows;
      if (deferred !== null) {
        yield { sql: `SET LOCAL maintenance_work_mem = '${indexBuildMemory}'` };
        for (const statement of JSON.parse(String(deferred)) as string[]) yield { sql: statement };
        // The planner's statistics of tables that were empty, before the service plans its first list on them.
        yield { sql: `ANALYZE ${[...deferredTables, 'tags'].join(', ')}` };
      }
      // MariaDB's AUTO_INCREMENT and SQLite's rowids already go on past the largest id inserted, whoever chose it.
      // A PostgreSQL sequence knows only the ids it issued: it is moved to the largest copied, never back.
      if (dialect === 'postgres') {
        for (const table of ['users', 'posts', 'comments']) {
          yield {
            sql: `SELECT setval(seq, largest) FROM (SELECT pg_get_serial_sequence('${table}', 'id')::regclass AS seq, (SELECT MAX(id) FROM ${table}) AS largest) t
                   WHERE largest > COALESCE(pg_sequence_last_value(seq), 0)`,
          };
        }
      }
      yield { sql: 'UPDATE copy_progress SET finished = TRUE, deferred = NULL WHERE id = :id', parameters: { id: progressId } };
    });
  }

  async movedId(kind: IdentifiedKind, oldId: string): Promise<string | null> {
    // Only a MongoDB source's ids are moved here: anything else (an id of this store's own, a typo) is not looked up.
    if (!/^[0-9a-f]{24}$/i.test(oldId)) return null;
    const [raw] = (await this.statements.run('SELECT new_id FROM moved_ids WHERE kind = :kind AND old_id = :oldId', { kind, oldId: oldId.toLowerCase() })).rows;
    return raw === undefined ? null : String(raw.new_id);
  }

  async *moves(kind: IdentifiedKind, batch: number): AsyncIterable<[string, string][]> {
    let after = '';
    for (;;) {
      const { rows } = await this.statements.run('SELECT old_id, new_id FROM moved_ids WHERE kind = :kind AND old_id > :after ORDER BY old_id LIMIT :batch', { kind, after, batch });
      if (rows.length === 0) return;
      yield rows.map(({ old_id, new_id }) => [String(old_id), String(new_id)]);
      after = String(rows.at(-1)!.old_id);
    }
  }

  private *writeBatch<K extends RecordKind>(kind: K, records: CopiedRecords[K][], position: string | null): Work<void> {
    const progress = yield* lockedProgress(this.dialect);
    const keep = progress.sourceFamily === 'sql';
    switch (kind) {
      case 'users':
        yield* this.writeUsers(records as CopiedUser[], keep);
        break;
      case 'posts':
        yield* this.writePosts(records as CopiedPost[], keep);
        break;
      case 'follows':
        yield* this.writePairs('follows', ['follower_id', 'followee_id'], (records as CopiedFollow[]).map((f) => [f.followerId, f.followeeId, f.createdAt]), ['users', 'users'], keep);
        break;
      case 'favorites':
        yield* this.writePairs('favorites', ['user_id', 'post_id'], (records as CopiedFavorite[]).map((f) => [f.userId, f.postId, f.createdAt]), ['users', 'posts'], keep);
        break;
      case 'comments':
        yield* this.writeComments(records as CopiedComment[], keep);
        break;
    }
    const positions = JSON.stringify({ ...progress.positions, [kind]: position });
    yield { sql: 'UPDATE copy_progress SET positions = :positions WHERE id = :id', parameters: { positions, id: progressId } };
  }

  private *writeUsers(users: CopiedUser[], keep: boolean): Work<void> {
    const row = (user: CopiedUser, id?: number): ColumnValues => {
      const { email, username, displayName, bio, image, passwordHash, createdAt, updatedAt, version } = user;
      return columnValues(this.dataSource, this.schemas.user, { ...(id !== undefined && { id }), ...storedProfile({ email, username, displayName, bio, image }), passwordHash, createdAt, updatedAt, version });
    };
    if (keep) {
      const fresh = yield* withoutStored('users', users, (user) => sqlId(user.id));
      yield* insertStatements(this.dialect, 'users', fresh.map((user) => row(user, sqlId(user.id))));
      return;
    }
    const moved = yield* movedIds('users', users.map((user) => user.id));
    const fresh = users.filter((user) => !moved.has(user.id));
    const ids = yield* insertWithIds('users', fresh.map((user) => row(user)), this.returning);
    yield* recordMoves(this.dialect, 'users', fresh.map((user, i) => [user.id, ids[i]]));
  }

  private *writePosts(posts: CopiedPost[], keep: boolean): Work<void> {
    const fresh = keep ? yield* withoutStored('posts', posts, (post) => sqlId(post.id)) : yield* withoutMoved('posts', posts);
    if (fresh.length === 0) return;
    const authors = yield* this.references('users', fresh.map((post) => post.authorId), 'authorId', keep);
    const rows = fresh.map((post) =>
      columnValues(this.dataSource, this.schemas.post, {
        id: keep ? sqlId(post.id) : post.number,
        authorId: authors.get(post.authorId)!,
        title: post.title,
        titleKey: foldCase(post.title),
        description: post.description,
        content: post.content,
        contentKey: foldCase(post.content),
        publicationDate: post.publicationDate,
        createdAt: post.createdAt,
        updatedAt: post.updatedAt,
        version: post.version,
      }),
    );
    yield* insertStatements(this.dialect, 'posts', rows);
    const names = [...new Set(fresh.flatMap((post) => post.tags))];
    if (names.length > 0) {
      yield* addTagNames(this.dialect, names);
      const tagIds = yield* readTagIds(names);
      const links = fresh.flatMap((post, i) => [...new Set(post.tags)].map((name) => ({ post_id: rows[i].id, tag_id: tagIds.get(name) })));
      yield* insertStatements(this.dialect, 'post_tags', links);
    }
    if (!keep) yield* recordMoves(this.dialect, 'posts', fresh.map((post) => [post.id, post.number]));
  }

  private *writeComments(comments: CopiedComment[], keep: boolean): Work<void> {
    const fresh = keep ? yield* withoutStored('comments', comments, (comment) => sqlId(comment.id)) : yield* withoutMoved('comments', comments);
    if (fresh.length === 0) return;
    const posts = yield* this.references('posts', fresh.map((comment) => comment.postId), 'postId', keep);
    const authors = yield* this.references('users', fresh.map((comment) => comment.authorId), 'authorId', keep);
    const rows = fresh.map((comment) =>
      columnValues(this.dataSource, this.schemas.comment, {
        id: keep ? sqlId(comment.id) : comment.number,
        postId: posts.get(comment.postId)!,
        authorId: authors.get(comment.authorId)!,
        content: comment.content,
        createdAt: comment.createdAt,
        updatedAt: comment.updatedAt,
      }),
    );
    yield* insertStatements(this.dialect, 'comments', rows);
    if (!keep) yield* recordMoves(this.dialect, 'comments', fresh.map((comment) => [comment.id, comment.number]));
  }

  /** Follows and favorites: a pair already stored stays as it is. */
  private *writePairs(
    table: string,
    [first, second]: [string, string],
    pairs: [string, string, Date][],
    [firstKind, secondKind]: [IdentifiedKind, IdentifiedKind],
    keep: boolean,
  ): Work<void> {
    if (pairs.length === 0) return;
    const firsts = yield* this.references(firstKind, pairs.map(([id]) => id), first, keep);
    const seconds = yield* this.references(secondKind, pairs.map(([, id]) => id), second, keep);
    const rows = pairs.map(([a, b, createdAt]) => ({ [first]: firsts.get(a), [second]: seconds.get(b), created_at: createdAt }));
    yield* insertStatements(this.dialect, table, rows, skippingPairs[this.dialect](first));
  }

  /** The id here of each of the source's ids of `kind`: itself from a SQL source, else the one moved_ids keeps. */
  private *references(kind: IdentifiedKind, ids: string[], field: string, keep: boolean): Work<Map<string, number>> {
    if (keep) return new Map(ids.map((id) => [id, sqlId(id)]));
    const moved = yield* movedIds(kind, ids);
    const missing = ids.find((id) => !moved.has(id));
    if (missing !== undefined) throw new InvalidReferenceError(field, missing);
    return moved;
  }

  private record<K extends RecordKind>(kind: K, raw: Record<string, unknown>): CopiedRecords[K] {
    const { dataSource, schemas } = this;
    const createdAt = dataSource.getMetadata(schemas.user).findColumnWithPropertyName('createdAt')!;
    const instant = (value: unknown) => dataSource.driver.prepareHydratedValue(value, createdAt) as Date;
    switch (kind) {
      case 'users': {
        const { id, email, username, displayName, bio, image, createdAt, updatedAt, version } = hydrate(dataSource, schemas.user, raw);
        const passwordHash = raw.password_hash === null ? null : String(raw.password_hash);
        const user: CopiedUser = { id: String(id), email, username, displayName, bio, image, passwordHash, createdAt, updatedAt, version };
        return user as CopiedRecords[K];
      }
      case 'posts': {
        const { id, authorId, title, description, content, publicationDate, createdAt, updatedAt, version } = hydrate(dataSource, schemas.post, raw);
        const post: CopiedPost = { id: String(id), number: id, authorId: String(authorId), title, description, content, publicationDate, createdAt, updatedAt, version, tags: parseTags(raw.tags) };
        return post as CopiedRecords[K];
      }
      case 'comments': {
        const { id, postId, authorId, content, createdAt, updatedAt } = hydrate(dataSource, schemas.comment, raw);
        const comment: CopiedComment = { id: String(id), number: id, postId: String(postId), authorId: String(authorId), content, createdAt, updatedAt };
        return comment as CopiedRecords[K];
      }
      case 'follows': {
        const follow: CopiedFollow = { followerId: String(raw.follower_id), followeeId: String(raw.followee_id), createdAt: instant(raw.created_at) };
        return follow as CopiedRecords[K];
      }
      case 'favorites': {
        const favorite: CopiedFavorite = { userId: String(raw.user_id), postId: String(raw.post_id), createdAt: instant(raw.created_at) };
        return favorite as CopiedRecords[K];
      }
    }
    throw new Error(`unknown kind ${kind as string}`);
  }
}

/** The progress row, kept from other writers until the transaction ends. @throws ConflictError when no copy has begun */
function* lockedProgress(dialect: SqlDialect): Work<CopyProgress> {
  // SQLite's transactions take the write lock as they begin (see transaction).
  const lock = dialect === 'sqlite' ? '' : ' FOR UPDATE';
  const [raw] = (yield { sql: `SELECT source, source_family, positions, finished FROM copy_progress WHERE id = :id${lock}`, parameters: { id: progressId } }).rows;
  if (raw === undefined) throw new ConflictError('copy', 'progress');
  return toProgress(raw);
}

function toProgress(raw: Record<string, unknown>): CopyProgress {
  return {
    source: String(raw.source),
    sourceFamily: raw.source_family as IdFamily,
    positions: JSON.parse(String(raw.positions)) as CopyProgress['positions'],
    // PostgreSQL answers a boolean; SQLite and MariaDB 0 or 1.
    finished: raw.finished === true || Number(raw.finished) === 1,
  };
}

/** A position this store gave: an id, or a pair of ids `a:b`; before the first when null. */
function parsePosition(kind: RecordKind, after: string | null): number[] {
  if (after === null) return [0, 0];
  const parts = after.split(':').map(Number);
  if (parts.length !== tables[kind].key.length || !parts.every((part) => Number.isSafeInteger(part) && part >= 0)) {
    throw new Error(`${after} is not a position among ${kind}`);
  }
  return parts;
}

/** A SQL source's id, as this store keeps it. */
function sqlId(id: string): number {
  const parsed = parseSqlId(id);
  if (parsed === null) throw new InvalidReferenceError('id', id);
  return parsed;
}

/** The records whose id is not stored yet (an earlier try may have written them). */
function* withoutStored<T>(table: string, records: T[], idOf: (record: T) => number): Work<T[]> {
  const stored = new Set<number>();
  for (const ids of chunks(records.map(idOf))) {
    const { rows } = yield { sql: `SELECT id FROM ${table} WHERE id IN (:...ids)`, parameters: { ids } };
    for (const { id } of rows) stored.add(Number(id));
  }
  return records.filter((record) => !stored.has(idOf(record)));
}

/** The records whose old id was not moved yet (an earlier try may have written them). */
function* withoutMoved<T extends { id: string }>(kind: IdentifiedKind, records: T[]): Work<T[]> {
  const moved = yield* movedIds(kind, records.map((record) => record.id));
  return records.filter((record) => !moved.has(record.id));
}

/** The new id of each of `oldIds` of `kind` that was moved. */
function* movedIds(kind: IdentifiedKind, oldIds: string[]): Work<Map<string, number>> {
  const moved = new Map<string, number>();
  for (const ids of chunks([...new Set(oldIds)])) {
    const { rows } = yield { sql: 'SELECT old_id, new_id FROM moved_ids WHERE kind = :kind AND old_id IN (:...ids)', parameters: { kind, ids } };
    for (const { old_id, new_id } of rows) moved.set(String(old_id), Number(new_id));
  }
  return moved;
}

function* recordMoves(dialect: SqlDialect, kind: IdentifiedKind, moves: [oldId: string, newId: number][]): Work<void> {
  yield* insertStatements(dialect, 'moved_ids', moves.map(([oldId, newId]) => ({ kind, old_id: oldId, new_id: newId })));
}
