import type { User } from '../../domain/user';
import { publicUserJson } from './presenters';

/** How a page of users is shown to this caller. */
export type UserView = (user: User) => ReturnType<typeof publicUserJson>;

/** The view of users for a caller: with `following` when signed in (read for the whole page at once). */
export function userView(followed: ReadonlySet<string> | undefined): UserView {
  if (followed === undefined) return (user) => publicUserJson(user);
  return (user) => publicUserJson(user, followed.has(user.id));
}
