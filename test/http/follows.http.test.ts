import { type SignedUp, api } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { malformedIds } from '../support/factories';
import { storedFollows } from '../support/stored-records';

describeEachStore('follows HTTP API', (context) => {
  const http = api(context);
  const follow = (userId: string, token: string) => http.put(`/users/me/following/${encodeURIComponent(userId)}`, token);
  const unfollow = (userId: string, token: string) => http.delete(`/users/me/following/${encodeURIComponent(userId)}`, token);
  const ids = (body: { items: { id: string }[] }) => body.items.map(({ id }) => id);

  describe('PUT and DELETE /users/me/following/:userId', () => {
    it('when a user follows another, then 204 with no body, and the follow shows in both lists', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      const response = await follow(bob.user.id, ada.token);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(ids((await http.get(`/users/${bob.user.id}/followers`)).body)).toEqual([ada.user.id]);
      expect(ids((await http.get(`/users/${ada.user.id}/following`)).body)).toEqual([bob.user.id]);
    });

    it('when the same follow or unfollow is sent twice, then 204 each time, and the store holds one follow, then none', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      expect((await follow(bob.user.id, ada.token)).status).toBe(204);
      expect((await follow(bob.user.id, ada.token)).status).toBe(204);
      expect(await storedFollows(context.store)).toHaveLength(1);
      expect((await unfollow(bob.user.id, ada.token)).status).toBe(204);
      expect((await unfollow(bob.user.id, ada.token)).status).toBe(204);
      expect(await storedFollows(context.store)).toEqual([]);
    });

    it('when a user follows or unfollows themselves, then 422 problem naming userId', async () => {
      const ada = await http.signUp();
      for (const response of [await follow(ada.user.id, ada.token), await unfollow(ada.user.id, ada.token)]) {
        expect(response.status).toBe(422);
        expect(response.body).toMatchObject({ detail: `user ${ada.user.id} cannot follow themselves`, errors: [{ field: 'userId', message: 'a user cannot follow themselves' }] });
      }
      expect(await storedFollows(context.store)).toEqual([]);
    });

    it('when the user is unknown or the id malformed, then 404 problem, for both methods', async () => {
      const [ada, gone] = [await http.signUp(), await http.signUp()];
      expect((await http.delete(`/users/${gone.user.id}`, gone.token, { currentPassword: gone.password })).status).toBe(204);
      for (const id of [gone.user.id, ...malformedIds(context.name).filter((id) => id !== '')]) {
        expect((await follow(id, ada.token)).status).toBe(404);
        expect((await unfollow(id, ada.token)).status).toBe(404);
      }
    });

    it('when no token or a bad one is sent, then 401 and nothing is written', async () => {
      const bob = await http.signUp();
      expect((await http.put(`/users/me/following/${bob.user.id}`)).status).toBe(401);
      expect((await http.put(`/users/me/following/${bob.user.id}`, 'not-a-token')).status).toBe(401);
      expect((await http.delete(`/users/me/following/${bob.user.id}`)).status).toBe(401);
      expect(await storedFollows(context.store)).toEqual([]);
    });

    it("when a user's writes are over the write limit, then a follow or unfollow is a 429 and writes nothing", async () => {
      const limited = api(context, { writeLimit: { limit: 2, windowMs: 60_000 } });
      const [ada, bob, cy] = [await limited.signUp(), await limited.signUp(), await limited.signUp()];
      expect((await limited.put(`/users/me/following/${bob.user.id}`, ada.token)).status).toBe(204);
      expect((await limited.delete(`/users/me/following/${bob.user.id}`, ada.token)).status).toBe(204);
      const refused = await limited.put(`/users/me/following/${cy.user.id}`, ada.token);
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toEqual(expect.any(String));
      expect(await storedFollows(context.store)).toEqual([]);
      expect((await limited.put(`/users/me/following/${cy.user.id}`, bob.token)).status).toBe(204);
    });

    it('when another method is sent, then 405 naming PUT and DELETE', async () => {
      const response = await http.post('/users/me/following/1', undefined);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('PUT, DELETE');
    });
  });

  describe('GET /users/:id/followers and /following', () => {
    it('when read page by page, then newest follow first, each page limit long, and nextCursor null on the last', async () => {
      const star = await http.signUp();
      const fans: SignedUp[] = [];
      for (let i = 0; i < 5; i += 1) {
        const fan = await http.signUp();
        expect((await follow(star.user.id, fan.token)).status).toBe(204);
        expect((await follow(fan.user.id, star.token)).status).toBe(204);
        fans.push(fan);
      }
      for (const side of ['followers', 'following']) {
        const seen: string[] = [];
        let path = `/users/${star.user.id}/${side}?limit=2`;
        for (;;) {
          const { status, body } = await http.get(path);
          expect(status).toBe(200);
          expect(body.limit).toBe(2);
          seen.push(...ids(body));
          if (body.nextCursor === null) break;
          path = `/users/${star.user.id}/${side}?limit=2&cursor=${encodeURIComponent(body.nextCursor)}`;
        }
        // Made one after another: each later than the one before, or in the same millisecond and then after it
        // by the id, descending, as every store issues ids in order of sign-up.
        expect(seen).toEqual(fans.map(({ user }) => user.id).reverse());
        const full = (await http.get(`/users/${star.user.id}/${side}?limit=100`)).body;
        expect(ids(full)).toEqual(seen);
      }
    });

    it('when anonymous, then the users carry no following; signed in, each says whether the caller follows them', async () => {
      const [star, ada, bob, cy] = [await http.signUp(), await http.signUp(), await http.signUp(), await http.signUp()];
      for (const fan of [ada, bob, cy]) await follow(star.user.id, fan.token);
      await follow(bob.user.id, ada.token);
      const anonymous = await http.get(`/users/${star.user.id}/followers`);
      expect(anonymous.body.items.every((user: object) => !('following' in user))).toBe(true);
      const signedIn = await http.get(`/users/${star.user.id}/followers`, ada.token);
      expect(Object.fromEntries(signedIn.body.items.map((user: { id: string; following: boolean }) => [user.id, user.following]))).toEqual({
        [ada.user.id]: false,
        [bob.user.id]: true,
        [cy.user.id]: false,
      });
      const { email: _email, ...bobView } = bob.user;
      expect(signedIn.body.items.find((user: { id: string }) => user.id === bob.user.id)).toEqual({ ...bobView, following: true });
    });

    it('when the user is unknown or the id malformed, then 404; a bad cursor, limit or other parameter is a 400 naming it', async () => {
      const ada = await http.signUp();
      for (const id of malformedIds(context.name).filter((id) => id !== '' && !id.includes('/'))) {
        expect((await http.get(`/users/${encodeURIComponent(id)}/followers`)).status).toBe(404);
        expect((await http.get(`/users/${encodeURIComponent(id)}/following`)).status).toBe(404);
      }
      const cases: [string, string][] = [
        ['cursor=abc', 'cursor'],
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['count=true', 'count'],
        ['skip=1', 'skip'],
      ];
      for (const [query, field] of cases) {
        const response = await http.get(`/users/${ada.user.id}/followers?${query}`);
        expect(response.status).toBe(400);
        expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
    });

    it("when a cursor of one user's list is sent to another's, or to the other side, then 400 naming cursor", async () => {
      const [star, other] = [await http.signUp(), await http.signUp()];
      for (let i = 0; i < 2; i += 1) await follow(star.user.id, (await http.signUp()).token);
      const { nextCursor } = (await http.get(`/users/${star.user.id}/followers?limit=1`)).body;
      expect(nextCursor).toEqual(expect.any(String));
      for (const path of [`/users/${other.user.id}/followers`, `/users/${star.user.id}/following`]) {
        const response = await http.get(`${path}?cursor=${encodeURIComponent(nextCursor)}`);
        expect(response.status).toBe(400);
        expect(response.body.errors[0].field).toBe('cursor');
      }
    });
  });

  describe('following in user views, and caches', () => {
    it('when GET /users is signed in, then each user says whether the caller follows them; anonymous, none does', async () => {
      const [ada, bob, cy] = [await http.signUp(), await http.signUp(), await http.signUp()];
      await follow(bob.user.id, ada.token);
      const signedIn = await http.get('/users?limit=100', ada.token);
      expect(signedIn.headers.vary).toMatch(/\bAuthorization\b/);
      expect(Object.fromEntries(signedIn.body.items.map((user: { id: string; following: boolean }) => [user.id, user.following]))).toEqual({
        [ada.user.id]: false,
        [bob.user.id]: true,
        [cy.user.id]: false,
      });
      const anonymous = await http.get('/users?limit=100');
      expect(anonymous.headers.vary).toMatch(/\bAuthorization\b/);
      expect(anonymous.body.items.some((user: object) => 'following' in user)).toBe(false);
    });

    it('when GET /users/:id is signed in, then following follows the caller\'s writes, and the ETag changes with it while the version stays', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      const anonymous = await http.get(`/users/${bob.user.id}`);
      expect(anonymous.body).not.toHaveProperty('following');
      expect(anonymous.headers.etag).toBe('"1"');
      expect(anonymous.headers.vary).toMatch(/\bAuthorization\b/);

      const before = await http.get(`/users/${bob.user.id}`, ada.token);
      expect(before.body).toMatchObject({ version: 1, following: false });
      expect(before.headers.etag).toBe('"1-not-following"');
      await follow(bob.user.id, ada.token);
      const after = await http.get(`/users/${bob.user.id}`, ada.token);
      expect(after.body).toMatchObject({ version: 1, following: true });
      expect(after.headers.etag).toBe('"1-following"');
      expect(after.headers.vary).toMatch(/\bAuthorization\b/);

      // The tag held before the follow no longer matches; the current one does.
      const stale = await http.raw().get(`/users/${bob.user.id}`).set('Authorization', `Bearer ${ada.token}`).set('If-None-Match', before.headers.etag);
      expect(stale.status).toBe(200);
      const current = await http.raw().get(`/users/${bob.user.id}`).set('Authorization', `Bearer ${ada.token}`).set('If-None-Match', after.headers.etag);
      expect(current.status).toBe(304);
      expect(current.headers.etag).toBe('"1-following"');
    });

    it('when a user patches themselves with the ETag of a signed-in view, then If-Match guards the version alone', async () => {
      const ada = await http.signUp();
      const { etag } = (await http.get(`/users/${ada.user.id}`, ada.token)).headers;
      expect(etag).toBe('"1-not-following"');
      const patch = (ifMatch: string) =>
        http.raw().patch(`/users/${ada.user.id}`).set('Authorization', `Bearer ${ada.token}`).set('If-Match', ifMatch).set('Content-Type', 'application/json').send('{"displayName":"Ada"}');
      expect((await patch(etag)).status).toBe(200);
      expect((await patch(etag)).status).toBe(412);
    });

    it('when a bad token is sent to a read that takes one, then 401 as anywhere, never an anonymous answer', async () => {
      const ada = await http.signUp();
      for (const path of ['/users', `/users/${ada.user.id}`, `/users/${ada.user.id}/followers`, `/users/${ada.user.id}/following`]) {
        const response = await http.get(path, 'not-a-token');
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer realm="dualstore", error="invalid_token"');
      }
    });
  });

  describe('deleting a user', () => {
    it('when a user with follows both ways deletes their account, then they are gone from every list and the store holds none of their follows', async () => {
      const [gone, ada, bob] = [await http.signUp(), await http.signUp(), await http.signUp()];
      await follow(ada.user.id, gone.token);
      await follow(gone.user.id, ada.token);
      await follow(gone.user.id, bob.token);
      await follow(bob.user.id, ada.token);
      expect((await http.delete(`/users/${gone.user.id}`, gone.token, { currentPassword: gone.password })).status).toBe(204);
      expect(ids((await http.get(`/users/${ada.user.id}/followers`)).body)).toEqual([]);
      expect(ids((await http.get(`/users/${ada.user.id}/following`)).body)).toEqual([bob.user.id]);
      expect((await http.get(`/users/${gone.user.id}/followers`)).status).toBe(404);
      expect(await storedFollows(context.store)).toEqual([`${ada.user.id}>${bob.user.id}`]);
    });
  });

  describe('races', () => {
    it('when 10 users send 50 follows and unfollows of one user at once, a user racing itself included, then every answer is 204 and lists and flags say what the store holds', async () => {
      const target = await http.signUp();
      const fans: SignedUp[] = [];
      for (let i = 0; i < 10; i += 1) fans.push(await http.signUp());
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const fan = fans[i % fans.length];
          return i % 3 === 0 ? unfollow(target.user.id, fan.token) : follow(target.user.id, fan.token);
        }),
      );
      expect(answers.map(({ status }) => status)).toEqual(Array(50).fill(204));
      const held = (await storedFollows(context.store)).map((pair) => pair.split('>')[0]).sort();
      expect(ids((await http.get(`/users/${target.user.id}/followers?limit=100`)).body).sort()).toEqual(held);
      for (const fan of fans) {
        expect((await http.get(`/users/${target.user.id}`, fan.token)).body.following).toBe(held.includes(fan.user.id));
      }
    });
  });
});
