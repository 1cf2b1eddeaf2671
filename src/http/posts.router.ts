import { Router } from 'express';
import { NotFoundError } from '../domain/errors';
import type { PostChanges } from '../domain/post';
import type { Store } from '../domain/repositories';
import { CreatePostBody, UpdatePostBody } from './bodies/post.bodies';
import { methodNotAllowed } from './error-handler';
import { parseTimestamp } from './field-rules';
import { pageJson, postJson } from './presenters';
import { parseBody, parsePage, requireChanges } from './validation';

export function postsRouter({ posts }: Store): Router {
  const router = Router();

  router
    .route('/')
    .get(async (req, res) => {
      res.json(pageJson(await posts.list(parsePage(req)), postJson));
    })
    .post(async (req, res) => {
      const { publicationDate, ...body } = parseBody(CreatePostBody, req);
      const post = await posts.create({ ...body, publicationDate: timestamp(publicationDate) });
      res.status(201).location(`/posts/${encodeURIComponent(post.id)}`).json(postJson(post));
    })
    .all(methodNotAllowed('GET', 'POST'));

  router
    .route('/:id')
    .get(async (req, res) => {
      const post = await posts.findById(req.params.id);
      if (post === null) throw new NotFoundError('post', req.params.id);
      res.json(postJson(post));
    })
    .patch(async (req, res) => {
      const { publicationDate, ...body } = requireChanges(parseBody(UpdatePostBody, req));
      const changes: PostChanges = { ...body, publicationDate: timestamp(publicationDate) };
      res.json(postJson(await posts.update(req.params.id, changes)));
    })
    .delete(async (req, res) => {
      await posts.delete(req.params.id);
      res.status(204).end();
    })
    .all(methodNotAllowed('GET', 'PATCH', 'DELETE'));

  return router;
}

/** Already checked by the body's rules. */
function timestamp(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : (parseTimestamp(value) ?? undefined);
}
