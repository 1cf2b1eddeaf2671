import type { Response } from 'express';
import type { FollowRepository } from '../domain/repositories';
import type { User } from '../domain/user';
import { callerIfAny } from './authenticate';
import { publicUserJson } from './presenters';

/** How a page of users is shown to this caller. */
export type UserView = (user: User) => ReturnType<typeof publicUserJson>;

/**
 * The view of `users` for the caller of `res`: with `following` when signed in, read for the whole page in
 * one store call; without it, and without any call, when anonymous.
 */
export async function userViews(follows: FollowRepository, res: Response, users: readonly User[]): Promise<UserView> {
  const caller = callerIfAny(res);
  if (caller === undefined) return (user) => publicUserJson(user);
  const followed = users.length === 0 ? new Set<string>() : await follows.followedAmong(caller.user.id, users.map(({ id }) => id));
  return (user) => publicUserJson(user, followed.has(user.id));
}
