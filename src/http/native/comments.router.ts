import { type Request, Router } from 'express';
import type { UseCases } from '../../use-cases';
import { authenticate, callerOf } from '../authenticate';
import { CreateCommentBody } from './bodies/comment.bodies';
import { methodNotAllowed } from '../error-handler';
import type { IdempotentCreates } from '../idempotency';
import { commentBodyLimit, jsonBody } from '../json-body';
import { commentPosition, listJson, parseCommentList } from './lists';
import { commentJson, newCommentJson } from './presenters';
import type { RateLimiters } from '../rate-limits';
import { parseBody } from '../validation';

/** The comments of one post, mounted at `/posts/:id/comments`. */
export function commentsRouter({ accounts, comments }: UseCases, creates: IdempotentCreates, limits: RateLimiters): Router {
  const router = Router({ mergeParams: true });
  // Each write is counted against its author before its body is read, as for posts.
  const writer = [authenticate(accounts), limits.write];
  const commentBody = jsonBody(commentBodyLimit);

  router
    .route('/')
    .get(async (req, res) => {
      const postId = postIdOf(req);
      const list = parseCommentList(req, postId);
      const slice = await comments.page(list.query);
      res.json(listJson(slice, commentJson, list, commentPosition, undefined));
    })
    // A key is the caller's for this post: the same key and body on another post is another comment.
    .post(...writer, commentBody, creates.handler({ route: 'POST /posts/:id/comments', scope: (res) => `user ${callerOf(res).user.id} post ${postIdOf(res.req)}`, owner: (res) => callerOf(res).user.id }, async (req, res) => {
      const postId = postIdOf(req);
      const { content } = parseBody(CreateCommentBody, req);
      const caller = callerOf(res);
      const comment = await comments.create(caller, postId, content);
      res.status(201).location(`/posts/${encodeURIComponent(postId)}/comments/${encodeURIComponent(comment.id)}`).json(newCommentJson(comment, caller.user));
    }))
    .all(methodNotAllowed('GET', 'POST'));

  router
    .route('/:commentId')
    .get(async (req, res) => {
      res.json(commentJson(await comments.read(postIdOf(req), req.params.commentId)));
    })
    // The comment's author or the post's author; the store checks it in the delete itself.
    .delete(...writer, async (req, res) => {
      await comments.delete(callerOf(res), postIdOf(req), req.params.commentId);
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'DELETE'));

  return router;
}

/** The post's id from the mount path (`mergeParams`). */
function postIdOf(req: Request): string {
  return (req.params as { id: string }).id;
}
