import { createHash } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { BaselineStore, ListPosition, PostRecord, PostRecordChanges } from './store';
import { inCodePointOrder } from './store';

/**
 * Express 5 and a raw driver, nothing else: the same five routes as the
 * service, answering byte-identical JSON for valid requests, with no
 * validation, logging, metrics, security headers, rate limits or
 * idempotency keys. What the service spends beyond this is what it costs.
 */
export function baselineApp(store: BaselineStore): Express {
  const app = express();
  app.disable('x-powered-by');
  // As the service: a post's ETag is its version and its favorites count, and nothing else is hashed.
  app.set('etag', false);
  app.use(express.json({ limit: '1mb' }));

  app.get('/posts', async (req, res) => {
    const limit = req.query.limit === undefined ? 20 : Number(req.query.limit);
    const cursor = req.query.cursor;
    const posts = await store.listPosts(limit + 1, typeof cursor === 'string' ? positionOf(cursor) : undefined);
    const items = posts.slice(0, limit);
    const last = items.at(-1);
    res.json({ items: items.map(postJson), limit, nextCursor: posts.length > limit && last !== undefined ? cursorAfter(last) : null });
  });

  app.get('/posts/:id', async (req, res) => {
    const post = await store.findPost(req.params.id);
    if (post === null) return void res.status(404).json({ status: 404 });
    res.set('ETag', postTag(post)).json(postJson(post));
  });

  app.post('/posts', signedIn, async (req, res) => {
    const { title, description, content, publicationDate, tags } = req.body as Record<string, unknown>;
    const now = new Date();
    const post = await store.createPost(
      res.locals.userId as string,
      {
        title: title as string,
        description: description === undefined ? '' : (description as string),
        content: content as string,
        publicationDate: publicationDate === undefined ? now : new Date(publicationDate as string),
        tags: tags === undefined ? [] : tagSet(tags as string[]),
      },
      now,
    );
    res.status(201).location(`/posts/${encodeURIComponent(post.id)}`).set('ETag', postTag(post)).json(postJson(post));
  });

  app.patch('/posts/:id', signedIn, async (req, res) => {
    const { title, description, content, publicationDate, tags } = req.body as Record<string, unknown>;
    const changes: PostRecordChanges = {
      ...(title !== undefined && { title: title as string }),
      ...(description !== undefined && { description: description as string }),
      ...(content !== undefined && { content: content as string }),
      ...(publicationDate !== undefined && { publicationDate: new Date(publicationDate as string) }),
      ...(tags !== undefined && { tags: tagSet(tags as string[]) }),
    };
    const ifMatch = req.get('If-Match');
    // The version a tag names, with or without its favorites count: `"3"` or `"3-f12"`.
    const version = ifMatch === undefined ? undefined : Number(/^"(\d+)/.exec(ifMatch)?.[1]);
    const post = await store.updatePost(req.params.id as string, res.locals.userId as string, version, changes, new Date());
    if (post === null) return void res.status(412).json({ status: 412 });
    res.set('ETag', postTag(post)).json(postJson(post));
  });

  /** The bearer token's session, found by the token's SHA-256 as the service keeps it. */
  async function signedIn(req: Request, res: Response, next: NextFunction): Promise<void> {
    const token = /^Bearer (\S+)$/.exec(req.get('Authorization') ?? '')?.[1];
    const userId = token === undefined ? null : await store.sessionUser(createHash('sha256').update(token).digest('hex'), new Date());
    if (userId === null) return void res.status(401).json({ status: 401 });
    res.locals.userId = userId;
    next();
  }

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    process.stderr.write(`baseline: ${error instanceof Error ? error.stack : String(error)}\n`);
    res.status(500).json({ status: 500 });
  });
  return app;
}

/** The fields and their order of the service's src/http/presenters.ts postJson. */
function postJson(post: PostRecord) {
  return {
    id: post.id,
    authorId: post.authorId,
    title: post.title,
    description: post.description,
    content: post.content,
    publicationDate: post.publicationDate.toISOString(),
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    tags: post.tags,
    version: post.version,
    favoritesCount: post.favoritesCount,
  };
}

/** As the service tags a post for a caller it does not know: its version and its favorites count. */
function postTag(post: PostRecord): string {
  return `"${post.version}-f${post.favoritesCount}"`;
}

/** As the service stores tags: trimmed, lower-cased, distinct, in code-point order. */
function tagSet(tags: string[]): string[] {
  return inCodePointOrder([...new Set(tags.map((tag) => tag.trim().toLowerCase()))]);
}

/**
 * The service's cursor of the default list (src/http/cursors.ts): the last
 * post's date and id, then a check over them and the list's identity, which
 * holds the route, the sort and the (absent) filters but not the limit.
 */
const defaultList = 'GET /posts sort=-publicationDate [null,null,null,null,null]';

function cursorAfter(post: PostRecord): string {
  const payload = Buffer.from(JSON.stringify(['d', post.publicationDate.toISOString(), post.id])).toString('base64url');
  const check = createHash('sha256').update(`${defaultList}\n${payload}`).digest('base64url').slice(0, 16);
  return `${payload}.${check}`;
}

/** The position a cursor names; its check is not verified, as nothing else is. */
function positionOf(cursor: string): ListPosition {
  const [, date, id] = JSON.parse(Buffer.from(cursor.split('.')[0], 'base64url').toString('utf8')) as [string, string, string];
  return { publicationDate: new Date(date), id };
}
