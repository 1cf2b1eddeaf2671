import type { Caller } from '../auth/accounts';
import { NotFoundError } from '../domain/errors';
import type { Store } from '../domain/repositories';
import type { User } from '../domain/user';

/** A user as the caller sees them: `following` only when the caller is signed in. */
export interface ProfileSeen {
  user: User;
  following?: boolean;
}

/** Users as others see them, and who follows whom, on every surface. */
export class Profiles {
  constructor(private readonly store: Store) {}

  /** @throws NotFoundError */
  async read(caller: Caller | undefined, id: string): Promise<ProfileSeen> {
    const { users, follows } = this.store;
    // Both by the id asked for, at once: whether the caller follows an unknown id does not matter.
    const [user, followed] = await Promise.all([users.findById(id), caller && follows.followedAmong(caller.user.id, [id])]);
    if (user === null) throw new NotFoundError('user', id);
    return { user, following: followed?.has(user.id) };
  }

  /** By username in any case. @throws NotFoundError */
  async readByUsername(caller: Caller | undefined, username: string): Promise<ProfileSeen> {
    const user = await this.findByUsername(username);
    const followed = caller && (await this.store.follows.followedAmong(caller.user.id, [user.id]));
    return { user, following: followed?.has(user.id) };
  }

  /** @throws NotFoundError */
  async findByUsername(username: string): Promise<User> {
    const user = await this.store.users.findByUsername(username);
    if (user === null) throw new NotFoundError('user', username);
    return user;
  }

  /** Idempotent. @throws SelfFollowError, NotFoundError */
  follow(caller: Caller, id: string): Promise<void> {
    return this.store.follows.follow(caller.user.id, id);
  }

  /** Idempotent. @throws SelfFollowError, NotFoundError */
  unfollow(caller: Caller, id: string): Promise<void> {
    return this.store.follows.unfollow(caller.user.id, id);
  }

  /** Which of `users` the caller follows, in one store call; undefined for an anonymous caller. */
  async followedBy(caller: Caller | undefined, users: readonly User[]): Promise<ReadonlySet<string> | undefined> {
    if (caller === undefined) return undefined;
    if (users.length === 0) return new Set();
    return this.store.follows.followedAmong(caller.user.id, [...new Set(users.map(({ id }) => id))]);
  }
}
