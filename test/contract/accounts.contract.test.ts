import { InvalidReferenceError, NotFoundError } from '../../src/domain/errors';
import type { Session } from '../../src/domain/session';
import { describeEachStore } from '../support/each-store';
import { aUser, malformedIds } from '../support/factories';

describeEachStore('credentials and sessions repository contract', (context) => {
  const users = () => context.store.users;
  const sessions = () => context.store.sessions;
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
      for (const user of reads) expect(Object.keys(user ?? {}).sort()).toEqual(['createdAt', 'displayName', 'email', 'id', 'updatedAt', 'username', 'version']);
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
    it('when a session is created, then it reads back by its token hash, to the millisecond', async () => {
      const user = await users().create(aUser());
      const session = aSession(user.id);
      await sessions().create(session);
      expect(await sessions().findByTokenHash(session.tokenHash)).toEqual(session);
      expect(await sessions().findByTokenHash('f'.repeat(64))).toBeNull();
    });

    it('when the user does not exist or the id is malformed, then create is an invalid reference', async () => {
      const gone = await users().create(aUser());
      await users().delete(gone.id);
      for (const userId of [gone.id, ...malformedIds(context.name)]) {
        const session = aSession(userId);
        await expect(sessions().create(session)).rejects.toEqual(new InvalidReferenceError('userId', userId));
        expect(await sessions().findByTokenHash(session.tokenHash)).toBeNull();
      }
    });

    it('when a session is deleted, then it is gone, and deleting it again is fine', async () => {
      const user = await users().create(aUser());
      const [gone, kept] = [aSession(user.id), aSession(user.id)];
      await sessions().create(gone);
      await sessions().create(kept);

      await sessions().delete(gone.tokenHash);
      await sessions().delete(gone.tokenHash);

      expect(await sessions().findByTokenHash(gone.tokenHash)).toBeNull();
      expect(await sessions().findByTokenHash(kept.tokenHash)).toEqual(kept);
    });

    it('when expired sessions are removed, then only those that ended before now go', async () => {
      const user = await users().create(aUser());
      const now = new Date('2026-06-01T12:00:00.000Z');
      const expired = aSession(user.id, { expiresAt: new Date(now.getTime() - 1) });
      const endsNow = aSession(user.id, { expiresAt: now });
      const live = aSession(user.id, { expiresAt: new Date(now.getTime() + 1) });
      for (const session of [expired, endsNow, live]) await sessions().create(session);

      expect(await sessions().deleteExpired(now)).toBe(1);

      expect(await sessions().findByTokenHash(expired.tokenHash)).toBeNull();
      expect(await sessions().findByTokenHash(endsNow.tokenHash)).toEqual(endsNow);
      expect(await sessions().findByTokenHash(live.tokenHash)).toEqual(live);
    });

    it('when a user is deleted, then their sessions go and others stay', async () => {
      const [user, other] = [await users().create(aUser()), await users().create(aUser())];
      const [mine, theirs] = [aSession(user.id), aSession(other.id)];
      await sessions().create(mine);
      await sessions().create(theirs);

      await users().delete(user.id);

      expect(await sessions().findByTokenHash(mine.tokenHash)).toBeNull();
      expect(await sessions().findByTokenHash(theirs.tokenHash)).toEqual(theirs);
    });
  });
});
