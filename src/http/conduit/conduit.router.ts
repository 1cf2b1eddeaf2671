import { type Request, type Response, Router } from 'express';
import type { ClassConstructor } from 'class-transformer';
import { proofNeeded } from '../../auth/accounts';
import type { Caller } from '../../auth/accounts';
import { NotFoundError } from '../../domain/errors';
import type { PostQuery } from '../../domain/listing';
import type { Post } from '../../domain/post';
import type { TagRepository } from '../../domain/repositories';
import { tagSet } from '../../domain/tags';
import { uniqueKey } from '../../domain/user';
import type { UseCases } from '../../use-cases';
import type { PostPage } from '../../use-cases/posts';
import { authenticate, callerIfAny, callerOf, identify, tokenOf, unauthorized } from '../authenticate';
import { methodNotAllowed, notFoundHandler } from '../error-handler';
import type { IdempotentCreates } from '../idempotency';
import { accountBodyLimit, commentBodyLimit, jsonBody, postBodyLimit, profileBodyLimit } from '../json-body';
import { requireOwnPassword, runMiddleware } from '../password-checks';
import { HttpProblem } from '../problem';
import type { RateLimiters } from '../rate-limits';
import { parseFields } from '../validation';
import {
  ConduitArticleChanges,
  ConduitArticleQuery,
  ConduitLogin,
  ConduitNewArticle,
  ConduitNewComment,
  ConduitPageQuery,
  ConduitRegistration,
  ConduitUserChanges,
  conduitCommentsShown,
  conduitTagsShown,
} from './conduit.bodies';
import { conduitErrorHandler } from './conduit.errors';
import { conduitOpenApiDocument } from './conduit.openapi';
import { articleView, commentJson, conduitUserJson, profileJson } from './conduit.presenters';

/** Newest first, as the Conduit API lists articles. */
const newestFirst = { field: 'createdAt', direction: 'desc' } as const;

/**
 * The Conduit ("RealWorld") API, mounted at `/api`: the same use cases, store and rules as the native API,
 * in the shapes, names and errors Conduit clients expect (conduit.presenters.ts, conduit.errors.ts).
 */
export function conduitRouter({ accounts, posts, profiles, comments }: UseCases, tags: TagRepository, creates: IdempotentCreates, limits: RateLimiters): Router {
  const router = Router();
  const signedIn = authenticate(accounts);
  const identified = identify(accounts);
  const writer = [signedIn, limits.write];
  const document = JSON.stringify(conduitOpenApiDocument());

  router
    .route('/users/login')
    .post(limits.loginByAddress, jsonBody(accountBodyLimit), limits.failedLoginsByEmail, async (req, res) => {
      const { email, password } = wrapped(ConduitLogin, req, 'user');
      const login = await accounts.login(email, password);
      // One answer for a wrong email and a wrong password: which one is not told.
      if (login === null) throw unauthorizedLogin();
      res.set('Cache-Control', 'no-store').json(conduitUserJson(login.user, login.token));
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/users')
    .post(limits.signUp, refuseIdempotencyKey, jsonBody(profileBodyLimit), async (req, res) => {
      const { password, displayName, ...profile } = wrapped(ConduitRegistration, req, 'user');
      const login = await accounts.signUpAndLogin({ ...profile, displayName: displayName ?? profile.username }, password);
      res.status(201).set('Cache-Control', 'no-store').json(conduitUserJson(login.user, login.token));
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/user')
    .get(signedIn, (req, res) => {
      res.set('Cache-Control', 'no-store').json(conduitUserJson(callerOf(res).user, presentedToken(req)));
    })
    .put(...writer, jsonBody(profileBodyLimit), async (req, res) => {
      const caller = callerOf(res);
      const { currentPassword, ...changes } = wrapped(ConduitUserChanges, req, 'user', settingsForm(caller));
      const needed = proofNeeded(changes);
      if (needed !== undefined) {
        if (currentPassword === undefined) throw proofRequired(needed);
        if (needed === 'email') await runMiddleware(limits.signUp, req, res);
        await requireOwnPassword(accounts, limits.passwordCheck, req, res, currentPassword);
      }
      const user = await accounts.changeAccount(caller, changes);
      res.set('Cache-Control', 'no-store').json(conduitUserJson(user, presentedToken(req)));
    })
    .all(methodNotAllowed('GET', 'PUT'));

  router
    .route('/profiles/:username')
    .get(identified, async (req, res) => {
      const { user, following } = await profiles.readByUsername(callerIfAny(res), req.params.username);
      res.json({ profile: profileJson(user, following) });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/profiles/:username/follow')
    .post(...writer, async (req, res) => {
      const user = await profiles.findByUsername(req.params.username);
      await profiles.follow(callerOf(res), user.id);
      res.json({ profile: profileJson(user, true) });
    })
    .delete(...writer, async (req, res) => {
      const user = await profiles.findByUsername(req.params.username);
      await profiles.unfollow(callerOf(res), user.id);
      res.json({ profile: profileJson(user, false) });
    })
    .all(methodNotAllowed('POST', 'DELETE'));

  router
    .route('/articles')
    .get(limits.deepOffset, identified, async (req, res) => {
      const params = conduitQuery(ConduitArticleQuery, req);
      const caller = callerIfAny(res);
      // A username no one has matches no article: an empty page, not a 404.
      const [author, favoritedBy] = await Promise.all([userIdOf(params.author), userIdOf(params.favorited)]);
      if (author === null || favoritedBy === null) return res.json({ articles: [], articlesCount: 0 });
      const query = page(params, { authorId: author, favoritedBy, tags: params.tag === undefined ? undefined : tagSet([params.tag]) });
      sendArticles(res, await posts.page(caller, query, { count: true, authors: true }));
    })
    .post(
      ...writer,
      jsonBody(postBodyLimit),
      creates.handler({ route: 'POST /api/articles', wrapper: 'article', scope: (res) => `user ${callerOf(res).user.id}`, owner: (res) => callerOf(res).user.id }, async (req, res) => {
        const { body, tagList, ...article } = wrapped(ConduitNewArticle, req, 'article');
        const caller = callerOf(res);
        const post = await posts.create(caller, { ...article, content: body, tags: tagList === undefined ? undefined : tagSet(tagList) });
        res.status(201).json({ article: ownArticle(post, caller) });
      }),
    )
    .all(methodNotAllowed('GET', 'POST'));

  router
    .route('/articles/feed')
    .get(varyByCaller, signedIn, limits.deepOffset, async (req, res) => {
      const query = page(conduitQuery(ConduitPageQuery, req), {});
      sendArticles(res, await posts.feed(callerOf(res), query, { count: true, authors: true }));
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/articles/:slug')
    .get(identified, async (req, res) => {
      const seen = await posts.readBySlug(callerIfAny(res), req.params.slug, { authors: true });
      res.json({ article: found(articleView(seen, { body: true })(seen.post), req.params.slug) });
    })
    .put(...writer, jsonBody(postBodyLimit), async (req, res) => {
      const { body, tagList, ...changes } = wrapped(ConduitArticleChanges, req, 'article');
      const caller = callerOf(res);
      const post = await posts.findBySlug(req.params.slug);
      const changed = await posts.update(caller, post.id, { ...changes, content: body, tags: tagList === undefined ? undefined : tagSet(tagList) });
      // The writer is the author: the article is theirs, so `following` is false; `favorited` is read again.
      const { favorited } = await posts.seenBy(caller, [changed]);
      res.json({ article: ownArticle(changed, caller, favorited?.has(changed.id)) });
    })
    .delete(...writer, async (req, res) => {
      const caller = callerOf(res);
      const post = await posts.findBySlug(req.params.slug);
      await posts.delete(caller, post.id);
      res.status(200).end();
    })
    .all(methodNotAllowed('GET', 'PUT', 'DELETE'));

  router
    .route('/articles/:slug/favorite')
    .post(...writer, async (req, res) => {
      const caller = callerOf(res);
      const post = await posts.findBySlug(req.params.slug);
      await posts.favorite(caller, post.id);
      await sendArticle(res, caller, post.id);
    })
    .delete(...writer, async (req, res) => {
      const caller = callerOf(res);
      const post = await posts.findBySlug(req.params.slug);
      await posts.unfavorite(caller, post.id);
      await sendArticle(res, caller, post.id);
    })
    .all(methodNotAllowed('POST', 'DELETE'));

  router
    .route('/articles/:slug/comments')
    .get(identified, async (req, res) => {
      const caller = callerIfAny(res);
      const post = await posts.findBySlug(req.params.slug);
      const slice = await comments.page({ postId: post.id, limit: conduitCommentsShown, order: 'newest' });
      const following = await profiles.followedBy(caller, slice.items.map(({ author }) => author));
      res.json({ comments: slice.items.map((comment) => commentJson(comment, following?.has(comment.authorId) ?? false)) });
    })
    .post(
      ...writer,
      jsonBody(commentBodyLimit),
      // A key is the caller's for this article: the same key and body on another article is another comment.
      creates.handler({ route: 'POST /api/articles/:slug/comments', wrapper: 'comment', scope: (res) => `user ${callerOf(res).user.id} article ${String(res.req.params.slug)}`, owner: (res) => callerOf(res).user.id }, async (req, res) => {
        const { body } = wrapped(ConduitNewComment, req, 'comment');
        const caller = callerOf(res);
        const post = await posts.findBySlug(String(req.params.slug));
        const comment = await comments.create(caller, post.id, body);
        res.json({ comment: commentJson({ ...comment, author: caller.user }, false) });
      }),
    )
    .all(methodNotAllowed('GET', 'POST'));

  router
    .route('/articles/:slug/comments/:id')
    .delete(...writer, async (req, res) => {
      const caller = callerOf(res);
      const post = await posts.findBySlug(req.params.slug);
      // Any other id is no comment's: the same 404 as an unknown number.
      if (!/^[1-9]\d{0,14}$/.test(req.params.id)) throw new NotFoundError('comment', req.params.id);
      await comments.deleteByNumber(caller, post.id, Number(req.params.id), 'comment-author');
      res.status(200).end();
    })
    .all(methodNotAllowed('DELETE'));

  router
    .route('/tags')
    .get(async (_req, res) => {
      const { items } = await tags.find({ limit: conduitTagsShown });
      res.json({ tags: items.map(({ name }) => name) });
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/openapi.json')
    .get((_req, res) => {
      res.type('json').send(document);
    })
    .all(methodNotAllowed('GET'));

  router.use(notFoundHandler);
  router.use(conduitErrorHandler);
  return router;

  /** The id of the user of this username; undefined when none is asked, null when no one has it. */
  async function userIdOf(username: string | undefined): Promise<string | null | undefined> {
    if (username === undefined) return undefined;
    return profiles.findByUsername(username).then(
      (user) => user.id,
      (error: unknown) => {
        if (error instanceof NotFoundError) return null;
        throw error;
      },
    );
  }

  async function sendArticle(res: Response, caller: Caller, id: string): Promise<void> {
    const seen = await posts.read(caller, id, { authors: true });
    res.json({ article: found(articleView(seen, { body: true })(seen.post), id) });
  }
}

/** A page of articles: newest first, by offset, and the total that matches. */
function page(params: ConduitPageQuery, filter: PostQuery['filter']): PostQuery {
  const limit = params.limit === undefined ? 20 : Number(params.limit);
  const skip = params.offset === undefined ? undefined : Number(params.offset);
  return { sort: newestFirst, filter, limit, skip };
}

function sendArticles(res: Response, { slice, total, ...seen }: PostPage): void {
  const view = articleView(seen, { body: false });
  const articles = slice.items.map(view).filter((article) => article !== null);
  res.json({ articles, articlesCount: total });
}

/** An article the caller just wrote: theirs, so they do not follow its author. */
function ownArticle(post: Post, caller: Caller, favorited = false) {
  return articleView({ authors: new Map([[caller.user.id, caller.user]]), favorited: new Set(favorited ? [post.id] : []) }, { body: true })(post);
}

function found<T>(article: T | null, key: string): T {
  if (article === null) throw new HttpProblem(404, `post ${key} not found`);
  return article;
}

/**
 * The body's `wrapper` object as an instance of `type`, after `translate` (the facade's reading of a
 * client's conventions). Fields without rules are dropped; wrong types and operator objects are refused.
 */
function wrapped<T extends object>(type: ClassConstructor<T>, req: Request, wrapper: string, translate: (fields: Record<string, unknown>) => void = () => {}): T {
  const body: unknown = req.body;
  const inner: unknown = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[wrapper] : undefined;
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    const message = `${wrapper} must be an object`;
    throw new HttpProblem(400, `request body must be {"${wrapper}": {...}}`, [{ field: wrapper, message }]);
  }
  const fields = { ...(inner as Record<string, unknown>) };
  translate(fields);
  return parseFields(type, fields, `request body's ${wrapper}`, { unknownFields: 'drop' });
}

/** The query's parameters that `type` names; others are dropped, as clients written elsewhere add their own. */
function conduitQuery<T extends object>(type: ClassConstructor<T>, req: Request): T {
  return parseFields(type, req.query, 'query', { unknownFields: 'drop' });
}

/**
 * A settings form sends every field back: `"password": ""` is no new password, the caller's own email no
 * new email, `"image": ""` no image and `"bio": null` an empty bio.
 */
function settingsForm(caller: Caller): (fields: Record<string, unknown>) => void {
  return (fields) => {
    if (fields.password === '') delete fields.password;
    if (typeof fields.email === 'string' && uniqueKey(fields.email) === uniqueKey(caller.user.email)) delete fields.email;
    if (fields.image === '') fields.image = null;
    if (fields.bio === null) fields.bio = '';
  };
}

function proofRequired(field: 'email' | 'password'): HttpProblem {
  const message = `currentPassword is required to change the ${field}`;
  return new HttpProblem(400, `request body is invalid: ${message}`, [{ field: 'currentPassword', message }]);
}

function unauthorizedLogin(): HttpProblem {
  const problem = unauthorized('email or password is wrong');
  return new HttpProblem(401, problem.detail, [{ field: 'email or password', message: 'email or password is invalid' }], problem.headers);
}

/** The token the request was signed in with (authenticate() has checked it). */
function presentedToken(req: Request): string {
  return tokenOf(req.get('Authorization') ?? '') ?? '';
}

/** The feed is one URL with a page per caller: said on every answer, a 401 too. */
function varyByCaller(_req: Request, res: Response, next: () => void): void {
  res.vary('Authorization');
  next();
}

/**
 * A sign-up answers a live session token: a kept answer replayed to whoever repeats the key would hand it
 * out. So this route takes no Idempotency-Key (the native sign-up, which answers no token, does).
 */
function refuseIdempotencyKey(req: Request, _res: Response, next: (error?: unknown) => void): void {
  if (req.get('Idempotency-Key') === undefined) return next();
  const message = 'Idempotency-Key is not taken by POST /api/users: its answer carries a session token';
  next(new HttpProblem(400, message, [{ field: 'Idempotency-Key', message }]));
}
