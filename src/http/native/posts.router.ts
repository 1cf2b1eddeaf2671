import { Router } from 'express';
import type { PostChanges } from '../../domain/post';
import { tagSet } from '../../domain/tags';
import type { UseCases } from '../../use-cases';
import { authenticate, callerIfAny, callerOf, identify } from '../authenticate';
import type { IdempotentCreates } from '../idempotency';
import { ifMatchVersions } from './conditional';
import { postView, sendPost } from './favoriting';
import { CreatePostBody, UpdatePostBody } from './bodies/post.bodies';
import { methodNotAllowed } from '../error-handler';
import { parseTimestamp } from '../field-rules';
import { jsonBody, postBodyLimit } from '../json-body';
import { listJson, parsePostList, postPosition } from './lists';
import type { RateLimiters } from '../rate-limits';
import { parseBody, requireChanges } from '../validation';

export function postsRouter({ accounts, posts }: UseCases, creates: IdempotentCreates, limits: RateLimiters): Router {
  const router = Router();
  const identified = identify(accounts);
  // Each write is counted against its author before its body is read.
  const writer = [authenticate(accounts), limits.write];
  const postBody = jsonBody(postBodyLimit);

  router
    .route('/')
    .get(limits.expensiveRead, identified, async (req, res) => {
      const list = parsePostList(req, 'GET /posts');
      const page = await posts.page(callerIfAny(res), list.query, { count: list.count });
      res.json(listJson(page.slice, postView(page), list, postPosition(list.query.sort), page.total));
    })
    .post(...writer, postBody, creates.handler({ route: 'POST /posts', scope: (res) => `user ${callerOf(res).user.id}`, owner: (res) => callerOf(res).user.id }, async (req, res) => {
      const { publicationDate, tags, ...body } = parseBody(CreatePostBody, req);
      const post = await posts.create(callerOf(res), {
        ...body,
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
      const { post, favorited } = await posts.read(callerIfAny(res), req.params.id);
      sendPost(res, post, favorited?.has(post.id));
    })
    .patch(...writer, postBody, async (req, res) => {
      const expected = ifMatchVersions(req);
      const { publicationDate, tags, ...body } = requireChanges(parseBody(UpdatePostBody, req));
      const changes: PostChanges = { ...body, publicationDate: timestamp(publicationDate), tags: tags === undefined ? undefined : tagSet(tags) };
      sendPost(res, await posts.update(callerOf(res), req.params.id, changes, expected));
    })
    .delete(...writer, async (req, res) => {
      await posts.delete(callerOf(res), req.params.id, ifMatchVersions(req));
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'PATCH', 'DELETE'));

  return router;
}

/** Already checked by the body's rules. */
function timestamp(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : (parseTimestamp(value) ?? undefined);
}
