import type { Response } from 'express';
import type { Post } from '../../domain/post';
import type { PostsSeen } from '../../use-cases/posts';
import { type TagVariant, setVersionTag } from './conditional';
import { postJson } from './presenters';

/** How a page of posts is shown to this caller. */
export type PostView = (post: Post) => ReturnType<typeof postJson>;

/** The view of posts for a caller: with `favorited` when signed in (read for the whole page at once). */
export function postView({ favorited }: PostsSeen): PostView {
  if (favorited === undefined) return (post) => postJson(post);
  return (post) => postJson(post, favorited.has(post.id));
}

/**
 * Answers one post: its tag names its version, its favorites count and, when `favorited` is known, that too
 * (`"3-f12-favorited"`), so a new favorite changes the tag while If-Match still guards version 3 alone.
 */
export function sendPost(res: Response, post: Post, favorited?: boolean): void {
  const count = `f${post.favoritesCount}` as const;
  const variant: TagVariant = favorited === undefined ? count : `${count}-${favorited ? 'favorited' : 'not-favorited'}`;
  setVersionTag(res, post.version, variant).json(postJson(post, favorited));
}
