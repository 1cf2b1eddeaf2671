import { InvalidReferenceError, NotFoundError } from '../domain/errors';
import type { Store } from '../domain/repositories';
import type { SignedIn } from '../domain/session';
import type { NewProfile, User, UserChanges } from '../domain/user';
import type { ExpectedVersions } from '../domain/versions';
import { HashingBusyError, HashSlots, defaultHashLimit } from './hash-slots';
import { PasswordHasher } from './passwords';
import { isWellFormedToken, newToken, tokenHash } from './tokens';

export interface AccountOptions {
  /** How long a login token lasts. */
  tokenTtlMs: number;
  /** log2 of scrypt's N for new password hashes. */
  passwordHashCost: number;
  /** Bounds the password hashes in flight, sign-up, login and password checks alike; defaultHashLimit when left out. */
  hashSlots?: HashSlots;
  /** The clock; tests move it to expire tokens. */
  now?: () => Date;
}

export interface Login {
  token: string;
  expiresAt: Date;
  user: User;
}

/** A change of profile, and of password with `password`. */
export type AccountChanges = UserChanges & { password?: string };

/**
 * The field of `changes` that needs the caller's current password first, if any: a new email (it can take
 * the account) or a new password. Other profile changes need only the session.
 */
export function proofNeeded({ email, password }: AccountChanges): 'email' | 'password' | undefined {
  return email !== undefined ? 'email' : password !== undefined ? 'password' : undefined;
}

/** Who made a request: the session its token opened, and that session's user. */
export type Caller = SignedIn;

/**
 * Sign-up, login and bearer tokens over whichever store is configured. Tokens
 * are opaque and kept (hashed) in the store, so logout revokes at once and
 * there is no signing secret to manage.
 */
export class Accounts {
  private readonly passwords: PasswordHasher;
  private readonly now: () => Date;

  constructor(
    private readonly store: Store,
    private readonly options: AccountOptions,
  ) {
    this.passwords = new PasswordHasher(options.passwordHashCost, options.hashSlots ?? new HashSlots(defaultHashLimit));
    this.now = options.now ?? (() => new Date());
  }

  async signUp(profile: NewProfile, password: string): Promise<User> {
    return this.store.users.create({ ...profile, passwordHash: await this.passwords.hash(password) });
  }

  /** Signs up and opens a session at once, with the one hash a sign-up costs. */
  async signUpAndLogin(profile: NewProfile, password: string): Promise<Login> {
    const user = await this.signUp(profile, password);
    const login = await this.openSession(user.id);
    // Deleted between the two: as a login would answer.
    if (login === null) throw new NotFoundError('user', user.id);
    return login;
  }

  /** Null for a wrong email or a wrong password alike. */
  async login(email: string, password: string): Promise<Login | null> {
    const credentials = await this.store.users.findCredentials(email);
    const valid = await this.passwords.verify(password, credentials?.passwordHash ?? null);
    if (!credentials || !valid) return null;
    if (this.passwords.isOutdated(credentials.passwordHash)) await this.rehash(credentials.userId, password);
    return this.openSession(credentials.userId);
  }

  /** A new session of the user; null when the user is gone. */
  private async openSession(userId: string): Promise<Login | null> {
    const now = this.now();
    const token = newToken();
    const session = { tokenHash: tokenHash(token), userId, createdAt: now, expiresAt: new Date(now.getTime() + this.options.tokenTtlMs) };
    await this.store.sessions.deleteExpired(now);
    try {
      await this.store.sessions.create(session);
    } catch (error) {
      if (error instanceof InvalidReferenceError) return null; // deleted while logging in
      throw error;
    }
    const user = await this.store.users.findById(userId);
    return user && { token, expiresAt: session.expiresAt, user };
  }

  /** The user behind a bearer token, or null when the token is unknown, revoked or expired. */
  async authenticate(token: string): Promise<Caller | null> {
    if (!isWellFormedToken(token)) return null;
    const signedIn = await this.store.sessions.findWithUser(tokenHash(token));
    if (signedIn === null) return null;
    if (signedIn.session.expiresAt.getTime() <= this.now().getTime()) {
      await this.store.sessions.delete(signedIn.session.tokenHash);
      return null;
    }
    return signedIn;
  }

  async logout(caller: Caller): Promise<void> {
    await this.store.sessions.delete(caller.session.tokenHash);
  }

  /** Whether `password` is the caller's own; one key derived, as for a login. */
  async isOwnPassword(caller: Caller, password: string): Promise<boolean> {
    const credentials = await this.store.users.findCredentials(caller.user.email);
    const valid = await this.passwords.verify(password, credentials?.passwordHash ?? null);
    return valid && credentials?.userId === caller.user.id;
  }

  /**
   * Replaces the caller's password when `current` is theirs, and ends every
   * other session: whoever else held a token must log in with the new one.
   * The session of this request stays. False, and nothing changed, when `current` is wrong.
   */
  async changePassword(caller: Caller, current: string, next: string): Promise<boolean> {
    if (!(await this.isOwnPassword(caller, current))) return false;
    await this.setPassword(caller, next);
    return true;
  }

  /**
   * Changes the caller's profile and, with `password`, their password (ending their other sessions), once
   * the caller has shown their current password where `proofNeeded` asks for it.
   * @throws as UserRepository.update
   */
  async changeAccount(caller: Caller, { password, ...changes }: AccountChanges, expected?: ExpectedVersions): Promise<User> {
    const changed = Object.values(changes).some((value) => value !== undefined);
    const user = changed ? await this.store.users.update(caller.user.id, changes, expected) : caller.user;
    if (password !== undefined) await this.setPassword(caller, password);
    return user;
  }

  private async setPassword(caller: Caller, password: string): Promise<void> {
    await this.store.users.setPasswordHash(caller.user.id, await this.passwords.hash(password));
    await this.store.sessions.deleteForUser(caller.user.id, caller.session.tokenHash);
  }

  /** Ends every session of the caller, the one of this request too. */
  async endSessions(caller: Caller): Promise<void> {
    await this.store.sessions.deleteForUser(caller.user.id);
  }

  /** Redoes a hash at the current cost; when the hashes are busy, the next login does it instead. */
  private async rehash(userId: string, password: string): Promise<void> {
    try {
      await this.store.users.setPasswordHash(userId, await this.passwords.hash(password));
    } catch (error) {
      if (!(error instanceof HashingBusyError)) throw error;
    }
  }
}
