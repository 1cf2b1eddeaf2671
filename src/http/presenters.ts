import type { Page } from '../domain/page';
import type { Post } from '../domain/post';
import type { User } from '../domain/user';

export function userJson(user: User) {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    displayName: user.displayName,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

export function postJson(post: Post) {
  return {
    id: post.id,
    authorId: post.authorId,
    title: post.title,
    content: post.content,
    publicationDate: post.publicationDate.toISOString(),
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
  };
}

export function pageJson<T, J>({ items, skip, limit, total }: Page<T>, toJson: (item: T) => J) {
  return { items: items.map(toJson), skip, limit, total };
}
