import type { AuthoredComment, Comment } from '../../domain/comment';
import type { Post } from '../../domain/post';
import type { TagCount } from '../../domain/tags';
import type { User } from '../../domain/user';

/**
 * A user as anyone may see them: no email, which only its owner reads. `following`, whether the caller
 * follows them, only when the request is signed in.
 */
export function publicUserJson(user: User, following?: boolean) {
  return {
    ...profileJson(user),
    ...(following !== undefined && { following }),
  };
}

function profileJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    image: user.image,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    version: user.version,
  };
}

/** A user as they see themselves: after sign-up, login and their own changes, and at /users/me. */
export function ownUserJson(user: User) {
  const { id, ...rest } = profileJson(user);
  return { id, email: user.email, ...rest };
}

/** A post; `favorited`, whether the caller favorites it, only when the request is signed in. */
export function postJson(post: Post, favorited?: boolean) {
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

export function tagJson(tag: TagCount) {
  return { name: tag.name, postCount: tag.postCount };
}

/** A comment with its author's public view as it is now: the author's current name, not the one they had when writing. */
export function commentJson(comment: AuthoredComment) {
  return {
    id: comment.id,
    postId: comment.postId,
    authorId: comment.authorId,
    author: publicUserJson(comment.author),
    content: comment.content,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
  };
}

/** A comment just written, by the caller: its author is the user the request signed in as. */
export function newCommentJson(comment: Comment, author: User) {
  return commentJson({ ...comment, author });
}
