import { ConflictError, InvalidReferenceError, NotFoundError } from '../../src/domain/errors';
import type { IdempotencyRecord } from '../../src/domain/idempotency';
import type { Session } from '../../src/domain/session';
import { describeEachStore } from '../support/each-store';
import { aProfile, aUser, malformedIds } from '../support/factories';

describeEachStore('credentials and sessions repository contract', (context) => {
  const users = () => context.store.users;
  const sessions = () => context.store.sessions;
  const sessionOf = async (tokenHash: string) => (await sessions().findWithUser(tokenHash))?.session ?? null;
  let hashes = 0;
  const aSession = (userId: string, overrides: Partial<Session> = {}): Session => {
    hashes += 1;
    return {
      tokenHash: hashes.toString(16).padStart(64, '0'),
      userId,
      createdAt: new Date('2026-01-01T00:00:00.123Z'),
      expiresAt: new Date('2026-01-01T01:00:00.456Z'),
      ...overrides,
    };
  };

  describe('credentials', () => {
    it('when a user is read in any way, then no password hash comes with it', async () => {
      const created = await users().create(aUser({ passwordHash: '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA' }));
      const reads = [created, await users().findById(created.id), (await users().find({ limit: 1 })).items[0]];
      for (const user of reads) expect(Object.keys(user ?? {}).sort()).toEqual(['bio', 'createdAt', 'displayName', 'email', 'id', 'image', 'updatedAt', 'username', 'version']);
      expect(await users().update(created.id, { displayName: 'x' })).not.toHaveProperty('passwordHash');
    });

    it('when credentials are looked up by email in any case, then the stored hash comes back', async () => {
      const user = await users().create(aUser({ email: 'Login@Example.com', passwordHash: '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA' }));
      const expected = { userId: user.id, passwordHash: '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA' };
      expect(await users().findCredentials('login@example.com')).toEqual(expected);
      expect(await users().findCredentials('LOGIN@EXAMPLE.COM')).toEqual(expected);
      expect(await users().findCredentials('nobody@example.com')).toBeNull();
    });
  });

  describe('password hash', () => {
    it('when the hash is replaced, then credentials carry the new one and the profile is unchanged', async () => {
      const user = await users().create(aUser({ passwordHash: 'old' }));
      await users().setPasswordHash(user.id, 'new');
      expect(await users().findCredentials(user.email)).toEqual({ userId: user.id, passwordHash: 'new' });
      expect(await users().findById(user.id)).toEqual(user);
      await users().setPasswordHash(user.id, 'new');
    });

    it('when the user does not exist or the id is malformed, then replacing the hash is not found', async () => {
      const gone = await users().create(aUser());
      await users().delete(gone.id);
      for (const id of [gone.id, ...malformedIds(context.name)]) {
        await expect(users().setPasswordHash(id, 'x')).rejects.toEqual(new NotFoundError('user', id));
      }
    });
  });

  describe('sessions', () => {
    it('when a session is created, then it reads back by its token hash with its user, to the millisecond', async () => {
      const user = await users().create(aUser());
      const session = aSession(user.id);
      await sessions().create(session);
      expect(await sessions().findWithUser(session.tokenHash)).toEqual({ session, user });
      expect(await sessions().findWithUser('f'.repeat(64))).toBeNull();
    });

    it("when the user's profile changes, then their sessions read back with the profile as it is now", async () => {
      const [user, other] = [await users().create(aUser()), await users().create(aUser())];
      const [first, second, theirs] = [aSession(user.id), aSession(user.id), aSession(other.id)];
      for (const session of [first, second, theirs]) await sessions().create(session);

      await users().update(user.id, { displayName: 'Renamed', image: 'https://example.com/renamed.png' });
      await users().update(user.id, { bio: 'Says something now' });
      const changed = await users().update(user.id, { username: `renamed${user.username}`, image: null });
      expect(changed).toMatchObject({ bio: 'Says something now', image: null, version: 4 });

      expect(await sessions().findWithUser(first.tokenHash)).toEqual({ session: first, user: changed });
      expect(await sessions().findWithUser(second.tokenHash)).toEqual({ session: second, user: changed });
      expect(await sessions().findWithUser(theirs.tokenHash)).toEqual({ session: theirs, user: other });
      // A new session starts from the profile as it is now.
      const later = aSession(user.id);
      await sessions().create(later);
      expect(await sessions().findWithUser(later.tokenHash)).toEqual({ session: later, user: changed });
    });

    it('when the user does not exist or the id is malformed, then create is an invalid reference', async () => {
      const gone = await users().create(aUser());
      await users().delete(gone.id);
      for (const userId of [gone.id, ...malformedIds(context.name)]) {
        const session = aSession(userId);
        await expect(sessions().create(session)).rejects.toEqual(new InvalidReferenceError('userId', userId));
        expect(await sessionOf(session.tokenHash)).toBeNull();
      }
    });

    it('when a session is deleted, then it is gone, and deleting it again is fine', async () => {
      const user = await users().create(aUser());
      const [gone, kept] = [aSession(user.id), aSession(user.id)];
      await sessions().create(gone);
      await sessions().create(kept);

      await sessions().delete(gone.tokenHash);
      await sessions().delete(gone.tokenHash);

      expect(await sessionOf(gone.tokenHash)).toBeNull();
      expect(await sessionOf(kept.tokenHash)).toEqual(kept);
    });

    it('when expired sessions are removed, then only those that ended before now go', async () => {
      const user = await users().create(aUser());
      const now = new Date('2026-06-01T12:00:00.000Z');
      const expired = aSession(user.id, { expiresAt: new Date(now.getTime() - 1) });
      const endsNow = aSession(user.id, { expiresAt: now });
      const live = aSession(user.id, { expiresAt: new Date(now.getTime() + 1) });
      for (const session of [expired, endsNow, live]) await sessions().create(session);

      expect(await sessions().deleteExpired(now)).toBe(1);

      expect(await sessionOf(expired.tokenHash)).toBeNull();
      expect(await sessionOf(endsNow.tokenHash)).toEqual(endsNow);
      expect(await sessionOf(live.tokenHash)).toEqual(live);
    });

    it("when a user's sessions are ended but one, then only that one and other users' sessions stay", async () => {
      const [user, other] = [await users().create(aUser()), await users().create(aUser())];
      const [current, second, third, theirs] = [aSession(user.id), aSession(user.id), aSession(user.id), aSession(other.id)];
      for (const session of [current, second, third, theirs]) await sessions().create(session);

      expect(await sessions().deleteForUser(user.id, current.tokenHash)).toBe(2);

      expect(await sessionOf(current.tokenHash)).toEqual(current);
      expect(await sessionOf(second.tokenHash)).toBeNull();
      expect(await sessionOf(third.tokenHash)).toBeNull();
      expect(await sessionOf(theirs.tokenHash)).toEqual(theirs);
    });

    it("when all of a user's sessions are ended, then none of theirs stays, and an unknown or malformed id ends nothing", async () => {
      const [user, other] = [await users().create(aUser()), await users().create(aUser())];
      const [mine, alsoMine, theirs] = [aSession(user.id), aSession(user.id), aSession(other.id)];
      for (const session of [mine, alsoMine, theirs]) await sessions().create(session);

      expect(await sessions().deleteForUser(user.id)).toBe(2);
      expect(await sessions().deleteForUser(user.id)).toBe(0);
      for (const id of malformedIds(context.name)) expect(await sessions().deleteForUser(id)).toBe(0);

      expect(await sessionOf(mine.tokenHash)).toBeNull();
      expect(await sessionOf(alsoMine.tokenHash)).toBeNull();
      expect(await sessionOf(theirs.tokenHash)).toEqual(theirs);
    });

    it('when a user is deleted, then their sessions go and others stay', async () => {
      const [user, other] = [await users().create(aUser()), await users().create(aUser())];
      const [mine, theirs] = [aSession(user.id), aSession(other.id)];
      await sessions().create(mine);
      await sessions().create(theirs);

      await users().delete(user.id);

      expect(await sessionOf(mine.tokenHash)).toBeNull();
      expect(await sessionOf(theirs.tokenHash)).toEqual(theirs);
    });
  });

  describe('what is kept for a user', () => {
    const keys = () => context.store.idempotencyKeys;
    const now = new Date('2026-01-01T00:00:00.000Z');
    const later = new Date('2026-01-02T00:00:00.000Z');
    let claims = 0;
    const claimed = async (): Promise<IdempotencyRecord> => {
      claims += 1;
      const record = { id: claims.toString(16).padStart(64, 'a'), fingerprint: 'f'.repeat(64), claimToken: `claim-${claims}`, response: null, expiresAt: later };
      expect(await keys().claim(record, now)).toBe(true);
      return record;
    };
    const response = { status: 201, headers: { 'content-type': 'application/json' }, body: '{"email":"kept@example.com"}' };

    it("when a user is deleted, then the idempotency answers kept as theirs go, and others' stay", async () => {
      const [user, other] = [await users().create(aUser()), await users().create(aUser())];
      const [mine, theirs, nobodys] = [await claimed(), await claimed(), await claimed()];
      expect(await keys().complete(mine.id, mine.claimToken, response, later, user.id)).toBe(true);
      expect(await keys().complete(theirs.id, theirs.claimToken, response, later, other.id)).toBe(true);
      expect(await keys().complete(nobodys.id, nobodys.claimToken, response, later)).toBe(true);
      expect(await keys().find(mine.id, now)).toEqual({ ...mine, response });

      await users().delete(user.id);

      expect(await keys().find(mine.id, now)).toBeNull();
      expect(await keys().find(theirs.id, now)).toEqual({ ...theirs, response });
      expect(await keys().find(nobodys.id, now)).toEqual({ ...nobodys, response });
    });

    it('when the user an answer would be kept for is already gone, then nothing is kept', async () => {
      const gone = await users().create(aUser());
      await users().delete(gone.id);
      const record = await claimed();

      expect(await keys().complete(record.id, record.claimToken, response, later, gone.id)).toBe(false);

      expect(await keys().find(record.id, now)).toBeNull();
    });
  });

  describe('one reading of keys', () => {
    // What MariaDB's padding collations, or a store's own reading, could make equal to these.
    const variants: [string, string, 'same' | 'other'][] = [
      ['trailing spaces', 'victim@example.com   ', 'other'],
      ['one trailing space', 'victim@example.com ', 'other'],
      ['leading spaces', '  victim@example.com', 'other'],
      ['a trailing tab', 'victim@example.com\t', 'other'],
      ['full-width letters', 'ｖｉｃｔｉｍ@example.com', 'other'],
      ['full-width capitals', 'ＶＩＣＴＩＭ@example.com', 'other'],
      ['another case', 'VICTIM@Example.COM', 'same'],
    ];

    it.each(variants)('when credentials are looked up by the email with %s, then every store reads it the same', async (_case, email, reading) => {
      const victim = await users().create(aUser({ email: 'victim@example.com', passwordHash: 'victim hash' }));
      const expected = reading === 'same' ? { userId: victim.id, passwordHash: 'victim hash' } : null;
      expect(await users().findCredentials(email)).toEqual(expected);
    });

    it.each(variants)('when a user signs up with the email with %s, then every store answers the same', async (_case, email, reading) => {
      const victim = await users().create(aUser({ email: 'victim@example.com' }));
      if (reading === 'same') {
        await expect(users().create(aUser({ email }))).rejects.toEqual(new ConflictError('user', 'email'));
      } else {
        const created = await users().create(aUser({ email }));
        expect(created.email).toBe(email);
        expect((await users().findCredentials(email))?.userId).toBe(created.id);
      }
      expect((await users().findCredentials('victim@example.com'))?.userId).toBe(victim.id);
    });

    it.each([
      ['trailing spaces', 'victim  ', 'other'],
      ['a leading space', ' victim', 'other'],
      ['full-width letters', 'ｖｉｃｔｉｍ', 'other'],
      ['another case', 'VICTIM', 'same'],
    ])('when a user signs up with the username with %s, then every store answers the same', async (_case, username, reading) => {
      await users().create(aUser({ username: 'victim' }));
      const attempt = users().create(aUser({ username }));
      if (reading === 'same') await expect(attempt).rejects.toEqual(new ConflictError('user', 'username'));
      else await expect(attempt).resolves.toMatchObject({ username });
    });

    it('when credentials are looked up by an email holding U+0000, then nobody is found on every store', async () => {
      await users().create(aUser({ email: 'victim@example.com' }));
      for (const email of ['victim@example.com\u0000', '\u0000victim@example.com', '\u0000']) expect(await users().findCredentials(email)).toBeNull();
    });
  });

  describe('conflicts tell public facts first', () => {
    it("when a sign-up takes another user's username and a registered email, then the conflict names the username", async () => {
      const [owner, other] = [await users().create(aUser()), await users().create(aUser())];
      await expect(users().create(aUser({ username: owner.username, email: other.email }))).rejects.toEqual(new ConflictError('user', 'username'));
      await expect(users().create(aUser({ username: owner.username, email: aProfile().email }))).rejects.toEqual(new ConflictError('user', 'username'));
    });

    it("when an update takes another user's username and a registered email, then the conflict names the username whether the email is registered or not", async () => {
      const [owner, other, user] = [await users().create(aUser()), await users().create(aUser()), await users().create(aUser())];
      await expect(users().update(user.id, { username: owner.username, email: other.email })).rejects.toEqual(new ConflictError('user', 'username'));
      await expect(users().update(user.id, { username: owner.username, email: aProfile().email })).rejects.toEqual(new ConflictError('user', 'username'));
      expect(await users().findById(user.id)).toEqual(user);
    });
  });
});
