import { Router } from 'express';
import type { Accounts } from '../auth/accounts';
import { NotFoundError } from '../domain/errors';
import type { PostChanges } from '../domain/post';
import type { Store } from '../domain/repositories';
import { tagSet } from '../domain/tags';
import { authenticate, callerIfAny, callerOf, identify } from './authenticate';
import type { IdempotentCreates } from './idempotency';
import { ifMatchVersions } from './conditional';
import { postViews, sendPost } from './favoriting';
import { CreatePostBody, UpdatePostBody } from './bodies/post.bodies';
import { methodNotAllowed } from './error-handler';
import { parseTimestamp } from './field-rules';
import { jsonBody, postBodyLimit } from './json-body';
import { listJson, parsePostList, postPosition } from './lists';
import type { RateLimiters } from './rate-limits';
import { parseBody, requireChanges } from './validation';

export function postsRouter({ posts, favorites }: Store, accounts: Accounts, creates: IdempotentCreates, limits: RateLimiters): Router {
  const router = Router();
  const identified = identify(accounts);
  // Each write is counted against its author before its body is read.
  const writer = [authenticate(accounts), limits.write];
  const postBody = jsonBody(postBodyLimit);

  router
    .route('/')
    .get(limits.expensiveRead, identified, async (req, res) => {
      const list = parsePostList(req, 'GET /posts');
      const [slice, total] = await Promise.all([posts.find(list.query), list.count ? posts.count(list.query.filter) : undefined]);
      res.json(listJson(slice, await postViews(favorites, res, slice.items), list, postPosition(list.query.sort), total));
    })
    .post(...writer, postBody, creates.handler({ route: 'POST /posts', scope: (res) => `user ${callerOf(res).user.id}`, owner: (res) => callerOf(res).user.id }, async (req, res) => {
      const { publicationDate, tags, ...body } = parseBody(CreatePostBody, req);
      const post = await posts.create({
        ...body,
        authorId: callerOf(res).user.id,
        publicationDate: timestamp(publicationDate),
        tags: tags === undefined ? undefined : tagSet(tags),
      });
      // A write answers the post as written, without the caller's flag: no read beside the write, and a replay stays true.
      sendPost(res.status(201).location(`/posts/${encodeURIComponent(post.id)}`), post);
    }))
    .all(methodNotAllowed('GET', 'POST'));

  router
    .route('/:id')
    .get(identified, async (req, res) => {
      const caller = callerIfAny(res);
      // Both by the id asked for, at once: whether the caller favorites an unknown id does not matter.
      const [post, favorited] = await Promise.all([posts.findById(req.params.id), caller && favorites.favoritedAmong(caller.user.id, [req.params.id])]);
      if (post === null) throw new NotFoundError('post', req.params.id);
      sendPost(res, post, favorited?.has(post.id));
    })
    .patch(...writer, postBody, async (req, res) => {
      const expected = ifMatchVersions(req);
      const { publicationDate, tags, ...body } = requireChanges(parseBody(UpdatePostBody, req));
      const changes: PostChanges = { ...body, publicationDate: timestamp(publicationDate), tags: tags === undefined ? undefined : tagSet(tags) };
      // Only the author may change or delete a post; the store checks it in the write itself.
      sendPost(res, await posts.update(req.params.id, changes, { expected, authorId: callerOf(res).user.id }));
    })
    .delete(...writer, async (req, res) => {
      await posts.delete(req.params.id, { expected: ifMatchVersions(req), authorId: callerOf(res).user.id });
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'PATCH', 'DELETE'));

  return router;
}

/** Already checked by the body's rules. */
function timestamp(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : (parseTimestamp(value) ?? undefined);
}
