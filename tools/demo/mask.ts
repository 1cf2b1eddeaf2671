import type { Exchange } from './exchange';

type Named = 'user' | 'post' | 'comment' | 'article' | 'etag';
type Id = Exclude<Named, 'etag'>;

/** Fields whose values each instance makes up for itself and that carry no meaning to compare. */
const hiddenFields: Record<string, string> = {
  accessToken: '<token>',
  token: '<token>',
  nextCursor: '<cursor>',
  createdAt: '<time>',
  updatedAt: '<time>',
  expiresAt: '<time>',
};

/**
 * Where a text names a record by id: a path segment, an `authorId=` or `favoritedBy=` filter, a message such as
 * `post 12 not found`; an article's suffix ends a slug in a path or a message (`post how-to-1x not found`).
 */
const idContexts: Record<Id, string> = {
  user: '/users/|/following/|authorId=|favoritedBy=|\\buser ',
  post: '/posts/|/favorites/|\\bpost ',
  comment: '/comments/|\\bcomment ',
  article: '/articles/[a-z0-9-]*-|\\bpost [a-z0-9-]*-',
};

/**
 * Replaces what legitimately differs between two instances (ids, tokens,
 * server-side times, cursors, ETags, the suffixes of slugs, the run's name) by
 * placeholders, so what is left must be equal. Ids, suffixes and ETags are
 * numbered by first appearance, per kind (`<post#2>`, `how-to-<article#1>`),
 * which keeps one check: the same record is named the same way.
 */
export class Masker {
  private readonly names = new Map<string, string>();
  private readonly counts: Record<Named, number> = { user: 0, post: 0, comment: 0, article: 0, etag: 0 };

  constructor(private readonly run: string) {}

  exchange(exchange: Exchange): Exchange {
    // Ids first: the request path may name one the answer is the first to show.
    const answer = this.value(exchange.answer);
    return {
      ...exchange,
      path: this.text(exchange.path),
      headers: this.headers(exchange.headers),
      body: this.value(exchange.body),
      answerHeaders: this.headers(exchange.answerHeaders),
      answer,
    };
  }

  private name(kind: Named, value: string): string {
    const key = `${kind} ${value}`;
    let name = this.names.get(key);
    if (name === undefined) {
      name = `<${kind}#${++this.counts[kind]}>`;
      this.names.set(key, name);
    }
    return name;
  }

  private headers(headers: Record<string, string>): Record<string, string> {
    const masked: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      if (lower === 'authorization') masked[name] = `${value.split(' ')[0]} <token>`;
      else if (lower === 'etag' || lower === 'if-match' || lower === 'if-none-match') masked[name] = this.name('etag', value);
      else masked[name] = this.text(value);
    }
    return masked;
  }

  /**
   * A comment is the record of a post; a post, the record with an author; every other record with a string id
   * is a user. A number id is a comment's on the Conduit API; a slug's suffix (after its last `-`) is the article's own.
   */
  private value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.value(item));
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    const kind = 'postId' in record ? 'comment' : 'authorId' in record ? 'post' : 'user';
    return Object.fromEntries(
      Object.entries(record).map(([key, item]) => {
        if (key === 'id' && typeof item === 'number') return [key, this.name('comment', String(item))];
        if (typeof item !== 'string') return [key, this.value(item)];
        if (key === 'id') return [key, this.name(kind, item)];
        if (key === 'authorId') return [key, this.name('user', item)];
        if (key === 'postId') return [key, this.name('post', item)];
        if (key === 'slug') return [key, item.replace(/[^-]+$/, (suffix) => this.name('article', suffix))];
        return [key, hiddenFields[key] ?? this.text(item)];
      }),
    );
  }

  /** Known ids where the text names them as ids (see idContexts), the tampered cursor, and the run's name anywhere, in any case (an email in capitals). */
  private text(text: string): string {
    let masked = text.replace(new RegExp(this.run, 'gi'), '<run>').replace(/(cursor=)[^&]+/, '$1<cursor>');
    for (const [key, name] of this.names) {
      const [kind, id] = [key.slice(0, key.indexOf(' ')), key.slice(key.indexOf(' ') + 1)];
      if (kind === 'etag') continue;
      const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      masked = masked.replace(new RegExp(`(?<=${idContexts[kind as Id]})${escaped}(?=$|[/?&\\s:,])`, 'g'), name);
    }
    return masked;
  }
}
