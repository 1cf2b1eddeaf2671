/** A post's row as PostWrites.createMany writes it (newPostRow in post-writes.ts), without its id. */
export interface LoadedPost {
  authorId: number;
  title: string;
  titleKey: string;
  description: string;
  content: string;
  contentKey: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** The columns of a loaded post after its id, in the order every loader writes them. */
export const postColumns = ['author_id', 'title', 'title_key', 'description', 'content', 'content_key', 'publication_date', 'created_at', 'updated_at', 'version'] as const;

export function postValues(post: LoadedPost): unknown[] {
  return [post.authorId, post.title, post.titleKey, post.description, post.content, post.contentKey, post.publicationDate, post.createdAt, post.updatedAt, post.version];
}

/** The ids a table's counter gives next: posts', and tags'. */
export interface NextIds {
  post: number;
  tag: number;
}

/** One batch of a load, each row with the id the load gave it: posts, the tag names new in it, and their links. */
export interface LoadBatch {
  posts: { id: number; post: LoadedPost }[];
  tags: { id: number; name: string }[];
  links: { postId: number; tagId: number }[];
}

/** A batch on its way to the store. */
export interface Sending {
  written: Promise<void>;
}

/**
 * What one store does to load posts into its empty tables, inside what it
 * can make one unit: sets the secondary indexes and foreign keys of `posts`
 * and `post_tags` aside, writes rows without them, then makes them again
 * exactly as they were, as pg_restore and mysqldump loads do. The load gives
 * the ids itself, from where the tables' counters stood, so that a batch can
 * be made ready while the one before it is written.
 */
export interface DeferredLoad<Payload = unknown> {
  /** Takes the tables for the load and answers the ids their counters give next; null, with nothing changed, when posts, tags or tag links are there already. */
  begin(): Promise<NextIds | null>;
  /** What `send` writes of the batch, made without the store. */
  prepare(batch: LoadBatch): Payload;
  /**
   * Answers once the batch is on its way: its last rows handed to the
   * connection, which the store reads while this thread makes the next batch
   * (the connection's own answers wait for this thread to be free, so what
   * comes before that is waited for here). `written` settles when the store
   * has written them all.
   */
  send(payload: Payload): Promise<Sending>;
  /** Which of these user ids name no user; the users found stay until the end, as a foreign key would keep them. */
  missingUsers(ids: number[]): Promise<number[]>;
  /** Leaves the counters at `next`, makes the indexes and foreign keys again, and keeps what was written. */
  end(next: NextIds): Promise<void>;
  /** Gives up: undoes what it can, and puts back the indexes and foreign keys it set aside. */
  abort(): Promise<void>;
}

/** How a bulk-load format writes one field. */
export interface FieldFormat {
  /** Between fields. */
  separator: string;
  /** A text as the format writes it. */
  text(value: string): string;
  /** Anything else: numbers, instants. */
  other(value: unknown): string;
}

const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/**
 * A text as PostgreSQL's COPY text format and MariaDB's LOAD DATA (by
 * default) read a field of tab-separated lines: backslash, tab, newline,
 * carriage return and NUL escaped with a backslash.
 */
export function tabSeparatedText(value: string): string {
  return /[\\\t\n\r\0]/.test(value) ? value.replace(/[\\\t\n\r\0]/g, (character) => escapes[character]) : value;
}

/**
 * Rows as delimited text, one a line, written straight into a buffer as
 * UTF-8 rather than built as one large string first.
 */
export function delimitedRows(rows: readonly (readonly unknown[])[], format: FieldFormat): Buffer {
  const separator = format.separator.charCodeAt(0);
  let buffer = Buffer.allocUnsafeSlow(Math.max(4_096, rows.length * 2_048));
  let at = 0;
  const room = (bytes: number) => {
    if (at + bytes <= buffer.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(2 * buffer.length, at + bytes));
    buffer.copy(larger, 0, 0, at);
    buffer = larger;
  };
  for (const row of rows) {
    for (let i = 0; i < row.length; i += 1) {
      const value = row[i];
      // A UTF-16 unit is at most 3 bytes of UTF-8; 2 more for the separator and the newline.
      const text = typeof value === 'string' ? format.text(value) : format.other(value);
      room(3 * text.length + 2);
      if (i > 0) buffer[at++] = separator;
      at += buffer.write(text, at);
    }
    room(1);
    buffer[at++] = newline;
  }
  return buffer.subarray(0, at);
}

const newline = '\n'.charCodeAt(0);
