import { createHash } from 'node:crypto';
import type { Store } from '../../src/domain/repositories';
import { type CopiedRecords, type IdentifiedKind, type RecordKind, recordKinds } from '../../src/domain/transfer';
import { idFamily } from './copy';

/** One kind compared: how many records each store holds, and the records that differ or are on one side only, by name. */
export interface KindComparison {
  kind: RecordKind;
  source: number;
  target: number;
  differing: string[];
  missing: string[];
  extra: string[];
  /**
   * For a kind with ids of its own, when the target is a copy of the source: how many of the source's ids were
   * followed, and by name the records whose id leads to another record, or to none, on the target (kept ids
   * within a family, the target's map of moved ids across).
   */
  ids?: { followed: number; elsewhere: string[]; nowhere: string[] };
}

/**
 * Compares every record of the two stores by a content hash of its public representation. Ids differ between
 * the families, so each record is named by what both stores keep of it and hashed with its references named the
 * same way: a user by their username (unique in any case), a post and a comment by their number, a follow and a
 * favorite by the names of their two ends. Read `batch` records at a time; `progress` hears each kind as it starts.
 */
export async function compareStores(
  source: Store,
  target: Store,
  batch: number,
  { progress = () => {}, ids = false }: { progress?: (kind: RecordKind) => void; ids?: boolean } = {},
): Promise<KindComparison[]> {
  const [left, right] = [new Fingerprints(source, batch), new Fingerprints(target, batch)];
  const comparisons: KindComparison[] = [];
  for (const kind of recordKinds) {
    progress(kind);
    const [a, b] = await Promise.all([left.of(kind), right.of(kind)]);
    const differing = [...a].filter(([name, hash]) => b.has(name) && b.get(name) !== hash).map(([name]) => name);
    const missing = [...a.keys()].filter((name) => !b.has(name));
    const extra = [...b.keys()].filter((name) => !a.has(name));
    comparisons.push({ kind, source: a.size, target: b.size, differing, missing, extra });
  }
  if (ids) {
    for (const comparison of comparisons) {
      const kind = comparison.kind;
      if (kind === 'users' || kind === 'posts' || kind === 'comments') comparison.ids = await followIds(kind, left.names(kind), right.names(kind), idFamily(source) === idFamily(target) ? null : target, batch);
    }
  }
  return comparisons;
}

export function hasDifference(comparisons: KindComparison[]): boolean {
  return comparisons.some(
    ({ source, target, differing, missing, extra, ids }) => source !== target || differing.length + missing.length + extra.length + (ids?.elsewhere.length ?? 0) + (ids?.nowhere.length ?? 0) > 0,
  );
}

/**
 * Where each of the source's ids of `kind` leads on the target: to the same id (`movedBy` null: one family),
 * or to the id the target's map of moves gives it.
 */
async function followIds(kind: IdentifiedKind, from: Map<string, string>, to: Map<string, string>, movedBy: Store | null, batch: number): Promise<NonNullable<KindComparison['ids']>> {
  let moves: Map<string, string> | undefined;
  if (movedBy !== null) {
    moves = new Map();
    for await (const pairs of movedBy.transfer.moves(kind, batch)) for (const [oldId, newId] of pairs) moves.set(oldId, newId);
  }
  const elsewhere: string[] = [];
  const nowhere: string[] = [];
  for (const [id, name] of from) {
    const there = to.get(moves === undefined ? id : (moves.get(id) ?? ''));
    if (there === undefined) nowhere.push(name);
    else if (there !== name) elsewhere.push(name);
  }
  return { followed: from.size, elsewhere, nowhere };
}

/** One store's records as names and hashes, kind by kind; the names of users and posts are learnt as they are read. */
class Fingerprints {
  private readonly namesById: Record<IdentifiedKind, Map<string, string>> = { users: new Map(), posts: new Map(), comments: new Map() };

  constructor(
    private readonly store: Store,
    private readonly batch: number,
  ) {}

  async of(kind: RecordKind): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    for await (const records of this.store.transfer.scan(kind, this.batch)) {
      for (const record of records) {
        const [name, representation] = this.represent(kind, record);
        // A second record under one name is a difference too.
        hashes.set(hashes.has(name) ? `${name} (again)` : name, hash(representation));
      }
    }
    return hashes;
  }

  private represent(kind: RecordKind, record: CopiedRecords[RecordKind]): [string, unknown] {
    switch (kind) {
      case 'users': {
        const { id, ...user } = record as CopiedRecords['users'];
        const name = `user ${user.username.toLowerCase()}`;
        this.namesById.users.set(id, name);
        return [name, user];
      }
      case 'posts': {
        const { id, authorId, ...post } = record as CopiedRecords['posts'];
        const name = `post ${post.number}`;
        this.namesById.posts.set(id, name);
        return [name, { ...post, author: this.user(authorId) }];
      }
      case 'follows': {
        const { followerId, followeeId, createdAt } = record as CopiedRecords['follows'];
        return [`${this.user(followerId)} follows ${this.user(followeeId)}`, { createdAt }];
      }
      case 'favorites': {
        const { userId, postId, createdAt } = record as CopiedRecords['favorites'];
        return [`${this.user(userId)} favorites ${this.post(postId)}`, { createdAt }];
      }
      case 'comments': {
        const { id, postId, authorId, ...comment } = record as CopiedRecords['comments'];
        const name = `comment ${comment.number}`;
        this.namesById.comments.set(id, name);
        return [name, { ...comment, post: this.post(postId), author: this.user(authorId) }];
      }
    }
  }

  /** The name of each record of `kind` read so far, by its id here. */
  names(kind: IdentifiedKind): Map<string, string> {
    return this.namesById[kind];
  }

  private user(id: string): string {
    return this.namesById.users.get(id) ?? `unknown user ${id}`;
  }

  private post(id: string): string {
    return this.namesById.posts.get(id) ?? `unknown post ${id}`;
  }
}

/** Dates as ISO text to the millisecond, keys in a fixed order: the same record hashes the same on every store. */
function hash(representation: unknown): string {
  const text = JSON.stringify(representation, (_key, value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? sortedKeys(value) : value));
  return createHash('sha256').update(text).digest('hex');
}

function sortedKeys(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
