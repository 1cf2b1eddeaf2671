import { EntitySchema } from 'typeorm';
import { type SqlDialect, longTextType, timestampType } from './dialect';

export interface UserRow {
  id: number;
  email: string;
  emailKey: string;
  username: string;
  usernameKey: string;
  displayName: string;
  bio: string;
  image: string | null;
  passwordHash: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface PostRow {
  id: number;
  authorId: number;
  title: string;
  description: string;
  content: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  titleKey?: string;
  contentKey?: string;
}

export interface CommentRow {
  id: number;
  postId: number;
  authorId: number;
  content: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SessionRow {
  tokenHash: string;
  userId: number;
  createdAt: Date;
  expiresAt: Date;
}

/** A use of an Idempotency-Key; the response columns are null while it is pending. */
export interface IdempotencyKeyRow {
  id: string;
  fingerprint: string;
  claimToken: string;
  responseStatus: number | null;
  /** JSON object of the replayed headers. */
  responseHeaders: string | null;
  responseBody: string | null;
  expiresAt: Date;
  /** Whose answer this is; deleting that user deletes it. */
  userId?: number | null;
}

export interface Entities {
  user: EntitySchema<UserRow>;
  post: EntitySchema<PostRow>;
  session: EntitySchema<SessionRow>;
  idempotencyKey: EntitySchema<IdempotencyKeyRow>;
  comment: EntitySchema<CommentRow>;
}

/**
 * The mapping of rows to tables; the tables themselves come only from the
 * migrations. Column types differ by dialect, so the schemas are built per
 * data source.
 */
export function entities(dialect: SqlDialect): Entities {
  const timestamp = { type: timestampType(dialect), precision: 3 } as const;
  const user = new EntitySchema<UserRow>({
    name: 'User',
    tableName: 'users',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      email: { type: 'varchar', length: 254 },
      emailKey: { type: 'varchar', length: 254, name: 'email_key' },
      username: { type: 'varchar', length: 32 },
      usernameKey: { type: 'varchar', length: 32, name: 'username_key' },
      displayName: { type: 'varchar', length: 100, name: 'display_name' },
      bio: { type: 'varchar', length: 1000 },
      image: { type: 'varchar', length: 2048, nullable: true },
      // Never selected unless asked for by name, so no user read can carry it.
      passwordHash: { type: 'varchar', length: 255, name: 'password_hash', nullable: true, select: false },
      createdAt: { ...timestamp, name: 'created_at' },
      updatedAt: { ...timestamp, name: 'updated_at' },
      version: { type: 'integer' },
    },
  });
  const post = new EntitySchema<PostRow>({
    name: 'Post',
    tableName: 'posts',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      authorId: { type: 'integer', name: 'author_id' },
      title: { type: 'varchar', length: 255 },
      description: { type: 'varchar', length: 1000 },
      content: { type: longTextType(dialect) },
      publicationDate: { ...timestamp, name: 'publication_date' },
      createdAt: { ...timestamp, name: 'created_at' },
      updatedAt: { ...timestamp, name: 'updated_at' },
      version: { type: 'integer' },
      // The case-folded title and content that searches read (post-writes.ts writes them); never loaded.
      titleKey: { type: 'text', name: 'title_key', select: false },
      contentKey: { type: longTextType(dialect), name: 'content_key', select: false },
    },
  });
  const session = new EntitySchema<SessionRow>({
    name: 'Session',
    tableName: 'sessions',
    columns: {
      tokenHash: { type: 'varchar', length: 64, primary: true, name: 'token_hash' },
      userId: { type: 'integer', name: 'user_id' },
      createdAt: { ...timestamp, name: 'created_at' },
      expiresAt: { ...timestamp, name: 'expires_at' },
    },
  });
  const idempotencyKey = new EntitySchema<IdempotencyKeyRow>({
    name: 'IdempotencyKey',
    tableName: 'idempotency_keys',
    columns: {
      id: { type: 'varchar', length: 64, primary: true },
      fingerprint: { type: 'varchar', length: 64 },
      claimToken: { type: 'varchar', length: 36, name: 'claim_token' },
      responseStatus: { type: 'integer', name: 'response_status', nullable: true },
      responseHeaders: { type: 'text', name: 'response_headers', nullable: true },
      responseBody: { type: longTextType(dialect), name: 'response_body', nullable: true },
      expiresAt: { ...timestamp, name: 'expires_at' },
      userId: { type: 'integer', name: 'user_id', nullable: true },
    },
  });
  const comment = new EntitySchema<CommentRow>({
    name: 'Comment',
    tableName: 'comments',
    columns: {
      id: { type: 'integer', primary: true, generated: 'increment' },
      postId: { type: 'integer', name: 'post_id' },
      authorId: { type: 'integer', name: 'author_id' },
      content: { type: 'text' },
      createdAt: { ...timestamp, name: 'created_at' },
      updatedAt: { ...timestamp, name: 'updated_at' },
    },
  });
  return { user, post, session, idempotencyKey, comment };
}
