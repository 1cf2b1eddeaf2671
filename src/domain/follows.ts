import { DomainError } from './errors';
import type { Position } from './listing';
import type { User } from './user';

/**
 * One page of a user's followers, or of the users they follow: newest follow
 * first, ties broken by the other user's id, descending. `after` is the last
 * item of the previous page: when it was followed, and the other user's id.
 */
export interface FollowQuery {
  userId: string;
  limit: number;
  after?: Position & { value: Date };
}

/** A user on one side of a follow, and when that follow was made. */
export interface FollowedUser {
  user: User;
  followedAt: Date;
}

/** A user asked to follow themselves: refused by every store before anything is written. */
export class SelfFollowError extends DomainError {
  constructor(readonly userId: string) {
    super(`user ${userId} cannot follow themselves`);
  }
}

/** The rule every adapter checks first. */
export function refuseSelfFollow(followerId: string, followeeId: string): void {
  if (followerId === followeeId) throw new SelfFollowError(followerId);
}
