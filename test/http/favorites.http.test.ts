import { type SignedUp, api } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { malformedIds } from '../support/factories';
import { storedFavorites } from '../support/stored-records';

describeEachStore('favorites HTTP API', (context) => {
  const http = api(context);
  const favorite = (postId: string, token: string) => http.put(`/users/me/favorites/${encodeURIComponent(postId)}`, token);
  const unfavorite = (postId: string, token: string) => http.delete(`/users/me/favorites/${encodeURIComponent(postId)}`, token);
  const ids = (body: { items: { id: string }[] }) => body.items.map(({ id }) => id);
  const newPost = async (author: SignedUp, body: object = {}) => (await http.post('/posts', { title: 'A post', content: 'Its content', ...body }, author.token)).body as { id: string; version: number; updatedAt: string };

  describe('PUT and DELETE /users/me/favorites/:postId', () => {
    it('when a user favorites a post, then 204 with no body, favoritesCount is 1, version and updatedAt stay, and it shows in their list', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      const post = await newPost(bob);
      const response = await favorite(post.id, ada.token);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      const read = (await http.get(`/posts/${post.id}`)).body;
      expect(read).toEqual({ ...post, favoritesCount: 1 });
      expect(ids((await http.get(`/users/${ada.user.id}/favorites`)).body)).toEqual([post.id]);
      expect((await http.get(`/posts?favoritedBy=${ada.user.id}`)).body.items).toEqual([read]);
    });

    it('when the same favorite or unfavorite is sent twice, then 204 each time, the store holds one favorite, then none, and the count follows', async () => {
      const ada = await http.signUp();
      const post = await newPost(ada);
      expect((await favorite(post.id, ada.token)).status).toBe(204);
      expect((await favorite(post.id, ada.token)).status).toBe(204);
      expect(await storedFavorites(context.store)).toHaveLength(1);
      expect((await http.get(`/posts/${post.id}`)).body.favoritesCount).toBe(1);
      expect((await unfavorite(post.id, ada.token)).status).toBe(204);
      expect((await unfavorite(post.id, ada.token)).status).toBe(204);
      expect(await storedFavorites(context.store)).toEqual([]);
      expect((await http.get(`/posts/${post.id}`)).body.favoritesCount).toBe(0);
    });

    it('when the post is unknown or the id malformed, then 404 problem, for both methods', async () => {
      const ada = await http.signUp();
      const gone = await newPost(ada);
      expect((await http.delete(`/posts/${gone.id}`, ada.token)).status).toBe(204);
      for (const id of [gone.id, ...malformedIds(context.name).filter((id) => id !== '')]) {
        for (const response of [await favorite(id, ada.token), await unfavorite(id, ada.token)]) {
          expect(response.status).toBe(404);
          expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        }
      }
      expect(await storedFavorites(context.store)).toEqual([]);
    });

    it('when no token or a bad one is sent, then 401 and nothing is written', async () => {
      const ada = await http.signUp();
      const post = await newPost(ada);
      expect((await http.put(`/users/me/favorites/${post.id}`)).status).toBe(401);
      expect((await http.put(`/users/me/favorites/${post.id}`, 'not-a-token')).status).toBe(401);
      expect((await http.delete(`/users/me/favorites/${post.id}`)).status).toBe(401);
      expect(await storedFavorites(context.store)).toEqual([]);
    });

    it("when a user's writes are over the write limit, then a favorite is a 429 and writes nothing", async () => {
      const limited = api(context, { writeLimit: { limit: 2, windowMs: 60_000 } });
      const ada = await limited.signUp();
      const post = (await limited.post('/posts', { title: 't', content: 'c' }, ada.token)).body as { id: string };
      expect((await limited.put(`/users/me/favorites/${post.id}`, ada.token)).status).toBe(204);
      expect((await limited.delete(`/users/me/favorites/${post.id}`, ada.token)).status).toBe(429);
      expect(await storedFavorites(context.store)).toHaveLength(1);
    });

    it('when another method is sent, then 405 naming PUT and DELETE', async () => {
      const response = await http.post('/users/me/favorites/1', undefined);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('PUT, DELETE');
    });
  });

  describe('GET /users/:id/favorites and favoritedBy', () => {
    it('when read page by page, then most recently favorited first, and nextCursor null on the last page', async () => {
      const ada = await http.signUp();
      const written: string[] = [];
      for (let i = 0; i < 5; i += 1) written.push((await newPost(ada)).id);
      for (const id of written) expect((await favorite(id, ada.token)).status).toBe(204);
      const seen: string[] = [];
      let path = `/users/${ada.user.id}/favorites?limit=2`;
      for (;;) {
        const { status, body } = await http.get(path);
        expect(status).toBe(200);
        seen.push(...ids(body));
        if (body.nextCursor === null) break;
        path = `/users/${ada.user.id}/favorites?limit=2&cursor=${encodeURIComponent(body.nextCursor)}`;
      }
      // Favorited one after another, in the order written: each later than the one before, or in the same
      // millisecond and then after it by the post's id, descending, as every store issues ids in order.
      expect(seen).toEqual([...written].reverse());
      expect(ids((await http.get(`/users/${ada.user.id}/favorites?limit=100`)).body)).toEqual(seen);
    });

    it('when favoritedBy is combined with tag and authorId, then only the posts matching all are listed, and count agrees', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      const mine = await newPost(ada, { tags: ['go'] });
      const theirs = await newPost(bob, { tags: ['go'] });
      const other = await newPost(bob);
      await newPost(bob, { tags: ['go'] });
      for (const post of [mine, theirs, other]) await favorite(post.id, ada.token);
      const list = async (query: string) => (await http.get(`/posts?sort=createdAt&${query}`)).body;
      expect(ids(await list(`favoritedBy=${ada.user.id}`))).toEqual([mine.id, theirs.id, other.id]);
      expect(ids(await list(`favoritedBy=${ada.user.id}&tag=go`))).toEqual([mine.id, theirs.id]);
      expect(ids(await list(`favoritedBy=${ada.user.id}&tag=go&authorId=${bob.user.id}`))).toEqual([theirs.id]);
      expect((await list(`favoritedBy=${ada.user.id}&count=true`)).total).toBe(3);
      expect(ids(await list(`favoritedBy=${bob.user.id}`))).toEqual([]);
      const first = await list(`favoritedBy=${ada.user.id}&limit=2`);
      expect(ids(await list(`favoritedBy=${ada.user.id}&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`))).toEqual([other.id]);
      // A cursor of the unfiltered list does not serve the filtered one.
      const unfiltered = await list('limit=1');
      expect((await http.get(`/posts?sort=createdAt&favoritedBy=${ada.user.id}&cursor=${encodeURIComponent(unfiltered.nextCursor)}`)).status).toBe(400);
    });

    it('when the user is unknown or the id malformed, then 404; favoritedBy naming no user lists nothing; a repeated favoritedBy is a 400', async () => {
      const ada = await http.signUp();
      for (const id of malformedIds(context.name).filter((id) => id !== '' && !id.includes('/'))) {
        expect((await http.get(`/users/${encodeURIComponent(id)}/favorites`)).status).toBe(404);
        expect((await http.get(`/posts?favoritedBy=${encodeURIComponent(id)}`)).body.items).toEqual([]);
      }
      const repeated = await http.get(`/posts?favoritedBy=${ada.user.id}&favoritedBy=${ada.user.id}`);
      expect(repeated.status).toBe(400);
      expect(repeated.body.errors.map((error: { field: string }) => error.field)).toContain('favoritedBy');
      for (const [query, field] of [['cursor=abc', 'cursor'], ['limit=0', 'limit'], ['count=true', 'count']]) {
        const response = await http.get(`/users/${ada.user.id}/favorites?${query}`);
        expect(response.status).toBe(400);
        expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
    });
  });

  describe('favorited in post views, and caches', () => {
    it('when lists are read signed in, then each post says whether the caller favorites it; anonymous, none does; all vary by Authorization', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      const [one, two] = [await newPost(bob), await newPost(bob)];
      await favorite(one.id, ada.token);
      for (const path of ['/posts', `/users/${bob.user.id}/posts`, `/users/${ada.user.id}/favorites`]) {
        const signedIn = await http.get(path, ada.token);
        expect(signedIn.headers.vary).toMatch(/\bAuthorization\b/);
        const flags = Object.fromEntries(signedIn.body.items.map((post: { id: string; favorited: boolean }) => [post.id, post.favorited]));
        expect(flags).toEqual(path.endsWith('favorites') ? { [one.id]: true } : { [one.id]: true, [two.id]: false });
        const anonymous = await http.get(path);
        expect(anonymous.headers.vary).toMatch(/\bAuthorization\b/);
        expect(anonymous.body.items.some((post: object) => 'favorited' in post)).toBe(false);
      }
    });

    it('when a post is favorited, then its ETag changes with the count and the caller\'s flag while the version stays, and If-None-Match follows it', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      const post = await newPost(bob);
      const anonymous = await http.get(`/posts/${post.id}`);
      expect(anonymous.headers.etag).toBe('"1-f0"');
      expect(anonymous.headers.vary).toMatch(/\bAuthorization\b/);
      const before = await http.get(`/posts/${post.id}`, ada.token);
      expect(before.body).toMatchObject({ version: 1, favoritesCount: 0, favorited: false });
      expect(before.headers.etag).toBe('"1-f0-not-favorited"');
      await favorite(post.id, ada.token);
      const after = await http.get(`/posts/${post.id}`, ada.token);
      expect(after.body).toMatchObject({ version: 1, favoritesCount: 1, favorited: true, updatedAt: post.updatedAt });
      expect(after.headers.etag).toBe('"1-f1-favorited"');
      expect((await http.get(`/posts/${post.id}`, bob.token)).headers.etag).toBe('"1-f1-not-favorited"');
      expect((await http.get(`/posts/${post.id}`)).headers.etag).toBe('"1-f1"');

      const conditional = (tag: string, token?: string) => {
        const request = http.raw().get(`/posts/${post.id}`).set('If-None-Match', tag);
        return token === undefined ? request : request.set('Authorization', `Bearer ${token}`);
      };
      expect((await conditional(anonymous.headers.etag)).status).toBe(200);
      expect((await conditional(before.headers.etag, ada.token)).status).toBe(200);
      expect((await conditional(after.headers.etag, ada.token)).status).toBe(304);
    });

    it('when the author patches or deletes with the ETag of a view, then If-Match guards the version alone, whatever the count', async () => {
      const [ada, bob] = [await http.signUp(), await http.signUp()];
      const post = await newPost(bob);
      const { etag } = (await http.get(`/posts/${post.id}`, bob.token)).headers;
      expect(etag).toBe('"1-f0-not-favorited"');
      await favorite(post.id, ada.token);
      const patch = (ifMatch: string) =>
        http.raw().patch(`/posts/${post.id}`).set('Authorization', `Bearer ${bob.token}`).set('If-Match', ifMatch).set('Content-Type', 'application/json').send('{"title":"New"}');
      const patched = await patch(etag);
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ version: 2, favoritesCount: 1 });
      expect(patched.body).not.toHaveProperty('favorited');
      expect(patched.headers.etag).toBe('"2-f1"');
      expect((await patch(etag)).status).toBe(412);
      const remove = (ifMatch: string) => http.raw().delete(`/posts/${post.id}`).set('Authorization', `Bearer ${bob.token}`).set('If-Match', ifMatch);
      expect((await remove('"1-f1"')).status).toBe(412);
      expect((await remove('"2-f7-favorited"')).status).toBe(204);
    });

    it('when a bad token is sent to a read that takes one, then 401, never an anonymous answer', async () => {
      const ada = await http.signUp();
      const post = await newPost(ada);
      for (const path of ['/posts', `/posts/${post.id}`, `/users/${ada.user.id}/posts`, `/users/${ada.user.id}/favorites`]) {
        expect((await http.get(path, 'not-a-token')).status).toBe(401);
      }
    });
  });

  describe('deletes leave nothing behind', () => {
    it('when a user deletes their account, then their favorites go and those counts go down, and the favorites of their posts go', async () => {
      const [gone, ada] = [await http.signUp(), await http.signUp()];
      const [theirs, hers] = [await newPost(gone), await newPost(ada)];
      await favorite(hers.id, gone.token);
      await favorite(theirs.id, ada.token);
      await favorite(hers.id, ada.token);
      expect((await http.get(`/posts/${hers.id}`)).body.favoritesCount).toBe(2);
      expect((await http.delete(`/users/${gone.user.id}`, gone.token, { currentPassword: gone.password })).status).toBe(204);
      expect((await http.get(`/posts/${hers.id}`)).body.favoritesCount).toBe(1);
      expect(ids((await http.get(`/users/${ada.user.id}/favorites`)).body)).toEqual([hers.id]);
      expect(await storedFavorites(context.store)).toEqual([`${ada.user.id}>${hers.id}`]);
    });
  });

  describe('races', () => {
    it('when 10 users send 50 favorites and unfavorites of one post at once, a user racing itself included, then every answer is 204, and the count and flags say what the store holds', async () => {
      const author = await http.signUp();
      const post = await newPost(author);
      const fans: SignedUp[] = [];
      for (let i = 0; i < 10; i += 1) fans.push(await http.signUp());
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const fan = fans[i % fans.length];
          return i % 3 === 0 ? unfavorite(post.id, fan.token) : favorite(post.id, fan.token);
        }),
      );
      expect(answers.map(({ status }) => status)).toEqual(Array(50).fill(204));
      const held = (await storedFavorites(context.store)).map((pair) => pair.split('>')[0]).sort();
      expect((await http.get(`/posts/${post.id}`)).body.favoritesCount).toBe(held.length);
      for (const fan of fans) expect((await http.get(`/posts/${post.id}`, fan.token)).body.favorited).toBe(held.includes(fan.user.id));
    });
  });
});
