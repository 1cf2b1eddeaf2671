import { createHash } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { ArticleRecord, BaselineStore, ListPosition, PostRecord, PostRecordChanges, ProfileRecord } from './store';
import { inCodePointOrder, slugOf } from './store';

/**
 * Express 5 and a raw driver, nothing else: the same six routes as the
 * service and the Conduit API's two lists, answering byte-identical JSON
 * for valid requests, with no validation, logging, metrics, security
 * headers, rate limits or idempotency keys. What the service spends beyond
 * this is what it costs.
 */
export function baselineApp(store: BaselineStore): Express {
  const app = express();
  app.disable('x-powered-by');
  // As the service: a post's ETag is its version and its favorites count, and nothing else is hashed.
  app.set('etag', false);
  app.use(express.json({ limit: '1mb' }));

  // As the service: an answer that may depend on the caller says so, signed in or not.
  app.get('/posts', varies, identified, async (req, res) => {
    const limit = req.query.limit === undefined ? 20 : Number(req.query.limit);
    const cursor = req.query.cursor;
    const posts = await store.listPosts(limit + 1, typeof cursor === 'string' ? positionOf(cursor) : undefined);
    res.json(await page(res, posts, limit, defaultList));
  });

  app.get('/feed', varies, signedIn, async (req, res) => {
    const userId = res.locals.userId as string;
    const limit = req.query.limit === undefined ? 20 : Number(req.query.limit);
    const cursor = req.query.cursor;
    const posts = await store.listFeed(userId, limit + 1, typeof cursor === 'string' ? positionOf(cursor) : undefined);
    res.json(await page(res, posts, limit, feedList(userId)));
  });

  app.get('/posts/:id', varies, identified, async (req, res) => {
    const id = req.params.id as string;
    const userId = res.locals.userId as string | undefined;
    // Both by the id asked for, at once, as the service reads them.
    const [post, favorited] = await Promise.all([store.findPost(id), userId === undefined ? undefined : store.favoritedAmong(userId, [id])]);
    if (post === null) return void res.status(404).json({ status: 404 });
    const flag = favorited?.has(post.id);
    res.set('ETag', postTag(post, flag)).json(postJson(post, flag));
  });

  /** A page of `limit` from `posts` (one more when more follow), each with `favorited` for a signed-in caller, read in one query. */
  async function page(res: Response, posts: PostRecord[], limit: number, list: string) {
    const items = posts.slice(0, limit);
    const userId = res.locals.userId as string | undefined;
    const favorited = userId === undefined || items.length === 0 ? undefined : await store.favoritedAmong(userId, items.map(({ id }) => id));
    const last = items.at(-1);
    return {
      items: items.map((post) => postJson(post, favorited?.has(post.id))),
      limit,
      nextCursor: posts.length > limit && last !== undefined ? cursorAfter(last, list) : null,
    };
  }

  // The Conduit API's lists (src/http/conduit): the page and its count at once, then the page's facts at once.
  app.get('/api/articles', varies, identified, async (req, res) => {
    const { limit, offset } = conduitPage(req);
    const [posts, total] = await Promise.all([store.listArticles(limit + 1, offset), store.countArticles()]);
    res.json(await articles(res, posts.slice(0, limit), total));
  });

  app.get('/api/articles/feed', varies, signedIn, async (req, res) => {
    const userId = res.locals.userId as string;
    const { limit, offset } = conduitPage(req);
    const [posts, total] = await Promise.all([store.listArticles(limit + 1, offset, userId), store.countArticles(userId)]);
    res.json(await articles(res, posts.slice(0, limit), total));
  });

  /** A Conduit page: whether the caller favorites each post, its authors, and whether the caller follows each, one query per fact. */
  async function articles(res: Response, posts: ArticleRecord[], total: number) {
    const userId = res.locals.userId as string | undefined;
    const authorIds = [...new Set(posts.map(({ authorId }) => authorId))];
    const none = posts.length === 0;
    const [favorited, authors, following] = await Promise.all([
      userId === undefined || none ? undefined : store.favoritedAmong(userId, posts.map(({ id }) => id)),
      none ? new Map<string, ProfileRecord>() : store.profilesById(authorIds),
      userId === undefined || none ? undefined : store.followedAmong(userId, authorIds),
    ]);
    return {
      articles: posts.flatMap((post) => {
        const author = authors.get(post.authorId);
        return author === undefined ? [] : [articleJson(post, author, favorited?.has(post.id) ?? false, following?.has(post.authorId) ?? false)];
      }),
      articlesCount: total,
    };
  }

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
    // `Token` is the Conduit API's scheme; the service takes both on every route.
    const token = /^(?:Bearer|Token) +(\S+) *$/i.exec(req.get('Authorization') ?? '')?.[1];
    const userId = token === undefined ? null : await store.sessionUser(createHash('sha256').update(token).digest('hex'), new Date());
    if (userId === null) return void res.status(401).json({ status: 401 });
    res.locals.userId = userId;
    next();
  }

  /** Signed in when the request carries Authorization, anonymous without it. */
  function identified(req: Request, res: Response, next: NextFunction): Promise<void> | void {
    return req.get('Authorization') === undefined ? next() : signedIn(req, res, next);
  }

  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    process.stderr.write(`baseline: ${error instanceof Error ? error.stack : String(error)}\n`);
    res.status(500).json({ status: 500 });
  });
  return app;
}

function varies(_req: Request, res: Response, next: NextFunction): void {
  res.vary('Authorization');
  next();
}

/** The fields and their order of the service's src/http/native/presenters.ts postJson; `favorited` only for a signed-in caller. */
function postJson(post: PostRecord, favorited?: boolean) {
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
    ...(favorited !== undefined && { favorited }),
  };
}

/** The Conduit query's page: `limit` (20 when left out) and `offset`. */
function conduitPage(req: Request): { limit: number; offset: number } {
  return { limit: req.query.limit === undefined ? 20 : Number(req.query.limit), offset: req.query.offset === undefined ? 0 : Number(req.query.offset) };
}

/** The fields and their order of the service's src/http/conduit/conduit.presenters.ts, for a list: no `body`. */
function articleJson(post: ArticleRecord, author: ProfileRecord, favorited: boolean, following: boolean) {
  return {
    slug: slugOf(post.title, post.slugSuffix),
    title: post.title,
    description: post.description,
    tagList: post.tags,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    favorited,
    favoritesCount: post.favoritesCount,
    author: { username: author.username, bio: author.bio, image: author.image, following },
  };
}

/** As the service tags a post: its version and its favorites count, and whether a signed-in caller favorites it. */
function postTag(post: PostRecord, favorited?: boolean): string {
  return `"${post.version}-f${post.favoritesCount}${favorited === undefined ? '' : favorited ? '-favorited' : '-not-favorited'}"`;
}

/** As the service stores tags: trimmed, lower-cased, distinct, in code-point order. */
function tagSet(tags: string[]): string[] {
  return inCodePointOrder([...new Set(tags.map((tag) => tag.trim().toLowerCase()))]);
}

/**
 * The service's cursor of a list (src/http/native/cursors.ts): the last post's date
 * and id, then a check over them and the list's identity, which holds the
 * route, the sort and the (absent) filters but not the limit. A feed's route
 * names its reader.
 */
const defaultList = 'GET /posts sort=-publicationDate [null,null,null,null,null]';
const feedList = (userId: string) => `GET /feed of ${userId} sort=-publicationDate [null,null,null,null,null]`;

function cursorAfter(post: PostRecord, list: string): string {
  const payload = Buffer.from(JSON.stringify(['d', post.publicationDate.toISOString(), post.id])).toString('base64url');
  const check = createHash('sha256').update(`${list}\n${payload}`).digest('base64url').slice(0, 16);
  return `${payload}.${check}`;
}

/** The position a cursor names; its check is not verified, as nothing else is. */
function positionOf(cursor: string): ListPosition {
  const [, date, id] = JSON.parse(Buffer.from(cursor.split('.')[0], 'base64url').toString('utf8')) as [string, string, string];
  return { publicationDate: new Date(date), id };
}
