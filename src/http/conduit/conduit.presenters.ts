import type { AuthoredComment } from '../../domain/comment';
import { type Post, postSlug } from '../../domain/post';
import type { User } from '../../domain/user';
import type { PostsSeen } from '../../use-cases/posts';

/*
 * The Conduit API's shapes of the service's records: a post is an article (its content is `body`, its tags
 * `tagList`), a comment's id is its number, a user seen by others is a profile.
 */

/** The signed-in user, with the token of this session. */
export function conduitUserJson(user: User, token: string) {
  return { user: { email: user.email, token, username: user.username, bio: user.bio, image: user.image } };
}

/** `following` is false for an anonymous caller, as the API has no third value. */
export function profileJson(user: User, following = false) {
  return { username: user.username, bio: user.bio, image: user.image, following };
}

/** How the caller sees one article; null when its author is gone (a delete cut half-way on MongoDB). */
export type ArticleView = (post: Post) => ReturnType<typeof articleJson> | null;

/** Articles as the caller sees them: lists leave out `body`, one article has it. */
export function articleView(seen: PostsSeen, { body }: { body: boolean }): ArticleView {
  return (post) => {
    const author = seen.authors?.get(post.authorId);
    if (author === undefined) return null;
    return articleJson(post, author, seen.favorited?.has(post.id) ?? false, seen.following?.has(author.id) ?? false, body);
  };
}

function articleJson(post: Post, author: User, favorited: boolean, following: boolean, withBody: boolean) {
  return {
    slug: postSlug(post),
    title: post.title,
    description: post.description,
    ...(withBody && { body: post.content }),
    tagList: post.tags,
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
    favorited,
    favoritesCount: post.favoritesCount,
    author: profileJson(author, following),
  };
}

export function commentJson(comment: AuthoredComment, following: boolean) {
  return {
    id: comment.number,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
    body: comment.content,
    author: profileJson(comment.author, following),
  };
}
