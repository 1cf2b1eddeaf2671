import request from 'supertest';
import { createApp } from '../../src/app';
import { testAppOptions } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { type ConduitUser, conduit, conduitError } from '../support/conduit-api';
import { storedFavorites } from '../support/stored-records';

const isoMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Article {
  slug: string;
  title: string;
  description: string;
  body?: string;
  tagList: string[];
  createdAt: string;
  updatedAt: string;
  favorited: boolean;
  favoritesCount: number;
  author: { username: string; bio: string; image: string | null; following: boolean };
}

describeEachStore('Conduit API', (context) => {
  const api = conduit(context);
  const write = async (author: ConduitUser, article: Record<string, unknown> = {}) => {
    const response = await api.post('/articles', { article: { title: 'How to train your dragon', description: 'Ever wonder how?', body: 'You have to believe', ...article } }, author.token);
    expect(response.status).toBe(201);
    return response.body.article as Article;
  };

  describe('users and authentication', () => {
    it('when a user registers, then 201 with their email, username, empty bio, no image and a token that signs in with Token and Bearer alike', async () => {
      const response = await api.post('/users', { user: { email: 'jake@jake.jake', username: 'jake', password: 'jakejakejake12' } });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ user: { email: 'jake@jake.jake', username: 'jake', bio: '', image: null, token: expect.any(String) } });
      const { token } = response.body.user;
      for (const scheme of ['Token', 'Bearer'] as const) {
        const current = await api.get('/user', token, scheme);
        expect(current.status).toBe(200);
        expect(current.body).toEqual(response.body);
      }
      // Without displayName, the username is the display name on the native API.
      expect((await api.raw().get('/users/me').set('Authorization', `Bearer ${token}`)).body).toEqual(expect.objectContaining({ username: 'jake', displayName: 'jake' }));
    });

    it('when a user logs in, then 200 with a new token; a wrong password or unknown email is the same 401 with an errors object', async () => {
      const jake = await api.register();
      const login = await api.post('/users/login', { user: { email: jake.user.email, password: jake.password, extra: 'dropped' } });
      expect(login.status).toBe(200);
      expect(login.body.user).toEqual({ ...jake.user, token: expect.any(String) });
      expect(login.body.user.token).not.toBe(jake.token);
      expect((await api.get('/user', login.body.user.token)).status).toBe(200);
      const wrong = await api.post('/users/login', { user: { email: jake.user.email, password: `${jake.password}x` } });
      const unknown = await api.post('/users/login', { user: { email: 'nobody@example.com', password: jake.password } });
      for (const response of [wrong, unknown]) {
        expect(response.status).toBe(401);
        expect(response.body).toEqual(conduitError(401, { 'email or password': ['is invalid'] }));
      }
      expect(wrong.body.detail).toBe(unknown.body.detail);
    });

    it('when a registration is invalid or takes an email or username in use, then 422 naming each field, and nothing is stored', async () => {
      const jake = await api.register();
      const cases: [unknown, Record<string, unknown>][] = [
        [{ user: { email: jake.user.email.toUpperCase(), username: 'another', password: 'long enough password' } }, { email: ['is already taken'] }],
        [{ user: { email: 'new@example.com', username: jake.user.username.toUpperCase(), password: 'long enough password' } }, { username: ['is already taken'] }],
        [{ user: { email: 'new@example.com', username: 'newname', password: 'short' } }, { password: [expect.stringMatching(/^must be a string of 12 to 256/)] }],
        [{ user: { email: 'not an email', username: 'x', password: 'long enough password' } }, { email: [expect.any(String)], username: [expect.any(String)] }],
        [{ user: { email: { $ne: null }, username: 'newname', password: 'long enough password' } }, { email: ['must be a single value, not an object or array'] }],
        [{ user: { email: 5, username: ['a'], password: 'long enough password' } }, { email: [expect.any(String)], username: [expect.any(String)] }],
        [{ email: 'new@example.com', username: 'newname', password: 'long enough password' }, { user: ['must be an object'] }],
        [{ user: 'jake' }, { user: ['must be an object'] }],
      ];
      for (const [body, errors] of cases) {
        const response = await api.post('/users', body);
        expect(response.status).toBe(422);
        expect(response.body).toEqual(conduitError(422, errors));
      }
      const malformed = await api.raw().post('/api/users').set('Content-Type', 'application/json').send('{"user":');
      expect(malformed.status).toBe(422);
      expect(malformed.body.errors).toEqual({ body: ['request body is not valid JSON'] });
      expect((await api.post('/users/login', { user: { email: 'new@example.com', password: 'long enough password' } })).status).toBe(401);
      expect((await api.get('/profiles/newname')).status).toBe(404);
    });

    it('when a registration carries an Idempotency-Key, then 422 and no user: a replayed answer would hand out a live token', async () => {
      const response = await api.raw().post('/api/users').set('Idempotency-Key', 'k1').set('Content-Type', 'application/json').send({ user: { email: 'idem@example.com', username: 'idem', password: 'long enough password' } });
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual({ 'Idempotency-Key': [expect.stringContaining('session token')] });
      expect((await api.get('/profiles/idem')).status).toBe(404);
    });

    it('when a settings form sends back every field, then the empty password and the same email are no change and need no current password', async () => {
      const jake = await api.register();
      const form = { ...jake.user, password: '', bio: 'I work at statefarm', image: '' };
      const response = await api.put('/user', { user: form }, jake.token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ user: { ...jake.user, bio: 'I work at statefarm', image: null, token: jake.token } });
      expect((await api.post('/users/login', { user: { email: jake.user.email, password: jake.password } })).status).toBe(200);
      const image = await api.put('/user', { user: { image: 'https://example.com/jake.png', bio: null } }, jake.token);
      expect(image.body.user).toEqual(expect.objectContaining({ image: 'https://example.com/jake.png', bio: '' }));
      expect((await api.put('/user', { user: { image: 'javascript:alert(1)' } }, jake.token)).body).toEqual(conduitError(422, { image: [expect.any(String)] }));
      expect((await api.get('/user', jake.token)).body.user.image).toBe('https://example.com/jake.png');
    });

    it('when a new email or password comes without the current password, or with a wrong one, then 422 naming currentPassword, and nothing changes', async () => {
      const jake = await api.register();
      for (const [field, value] of [['email', 'new@example.com'], ['password', 'a brand new password']] as const) {
        const missing = await api.put('/user', { user: { [field]: value, bio: 'changed' } }, jake.token);
        expect(missing.status).toBe(422);
        expect(missing.body).toEqual(conduitError(422, { currentPassword: [`is required to change the ${field}`] }));
        const wrong = await api.put('/user', { user: { [field]: value, currentPassword: 'wrong current password 1' } }, jake.token);
        expect(wrong.status).toBe(422);
        expect(wrong.body.errors).toEqual({ currentPassword: ['is not the password of this account'] });
      }
      expect((await api.get('/user', jake.token)).body.user).toEqual({ ...jake.user, token: jake.token });
      expect((await api.post('/users/login', { user: { email: jake.user.email, password: jake.password } })).status).toBe(200);
    });

    it('when the email, username and password change with the current password, then they all change, the other sessions end and this one stays', async () => {
      const jake = await api.register();
      const other = (await api.post('/users/login', { user: { email: jake.user.email, password: jake.password } })).body.user.token as string;
      const changes = { email: 'jake2@example.com', username: 'jake2', password: 'a brand new password', currentPassword: jake.password };
      const response = await api.put('/user', { user: changes }, jake.token);
      expect(response.status).toBe(200);
      expect(response.body.user).toEqual({ ...jake.user, email: 'jake2@example.com', username: 'jake2', token: jake.token });
      expect((await api.get('/user', jake.token)).status).toBe(200);
      expect((await api.get('/user', other)).status).toBe(401);
      expect((await api.post('/users/login', { user: { email: 'jake2@example.com', password: 'a brand new password' } })).status).toBe(200);
      expect((await api.post('/users/login', { user: { email: 'jake2@example.com', password: jake.password } })).status).toBe(401);
    });

    it("when logins for one email keep failing, then the Conduit login counts them by the wrapped body's email as the native login does: 429", async () => {
      const limited = conduit(context, { loginLimit: { limit: 1_000, emailLimit: 2, windowMs: 60_000 } });
      const jake = await limited.register();
      const fail = () => limited.post('/users/login', { user: { email: jake.user.email, password: 'wrong password 123' } });
      expect([(await fail()).status, (await fail()).status]).toEqual([401, 401]);
      const refused = await limited.post('/users/login', { user: { email: jake.user.email, password: jake.password } });
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(conduitError(429, { body: [expect.stringContaining('too many failed logins for this email')] }));
      expect((await limited.post('/users/login', { user: { email: 'other@example.com', password: 'wrong password 123' } })).status).toBe(401);
    });

    it('when no token, a bad token or another scheme is sent, then 401 with an errors object', async () => {
      const jake = await api.register();
      const answers = [await api.get('/user'), await api.get('/user', 'not-a-token'), await api.raw().get('/api/user').set('Authorization', `Basic ${jake.token}`)];
      for (const response of answers) {
        expect(response.status).toBe(401);
        expect(response.body).toEqual(conduitError(401, { body: [expect.any(String)] }));
      }
    });
  });

  describe('profiles', () => {
    it('when profiles are read, then following says whether the caller follows them: false when anonymous', async () => {
      const [jake, celeb] = [await api.register(), await api.register()];
      const profile = { username: celeb.user.username, bio: '', image: null };
      expect((await api.get(`/profiles/${celeb.user.username}`)).body).toEqual({ profile: { ...profile, following: false } });
      expect((await api.get(`/profiles/${celeb.user.username}`, jake.token)).body).toEqual({ profile: { ...profile, following: false } });
      for (let i = 0; i < 2; i++) {
        const followed = await api.post(`/profiles/${celeb.user.username}/follow`, undefined, jake.token);
        expect(followed.status).toBe(200);
        expect(followed.body).toEqual({ profile: { ...profile, following: true } });
      }
      expect((await api.get(`/profiles/${celeb.user.username.toUpperCase()}`, jake.token)).body.profile.following).toBe(true);
      expect((await api.get(`/profiles/${celeb.user.username}`, celeb.token)).body.profile.following).toBe(false);
      expect((await api.get(`/profiles/${celeb.user.username}`)).body.profile.following).toBe(false);
      for (let i = 0; i < 2; i++) {
        const unfollowed = await api.delete(`/profiles/${celeb.user.username}/follow`, jake.token);
        expect(unfollowed.body).toEqual({ profile: { ...profile, following: false } });
      }
    });

    it('when the username is unknown, a user follows themselves, or no token is sent, then 404, 422 and 401', async () => {
      const jake = await api.register();
      expect((await api.get('/profiles/nobody')).body).toEqual(conduitError(404, { body: [expect.any(String)] }));
      expect((await api.post('/profiles/nobody/follow', undefined, jake.token)).status).toBe(404);
      expect((await api.post(`/profiles/${jake.user.username}/follow`, undefined, jake.token)).body).toEqual(conduitError(422, { username: [expect.any(String)] }));
      expect((await api.post(`/profiles/${jake.user.username}/follow`)).status).toBe(401);
    });
  });

  describe('articles', () => {
    it('when an article is written, then 201 with its slug, fields, sorted tags, times with milliseconds and its author', async () => {
      const jake = await api.register();
      const article = await write(jake, { tagList: ['training', 'Dragons', 'dragons'] });
      expect(article).toEqual({
        slug: expect.stringMatching(/^how-to-train-your-dragon-[0-9a-z]+$/),
        title: 'How to train your dragon',
        description: 'Ever wonder how?',
        body: 'You have to believe',
        tagList: ['dragons', 'training'],
        createdAt: expect.stringMatching(isoMillis),
        updatedAt: expect.stringMatching(isoMillis),
        favorited: false,
        favoritesCount: 0,
        author: { username: jake.user.username, bio: '', image: null, following: false },
      });
      expect((await api.get(`/articles/${article.slug}`)).body).toEqual({ article });
    });

    it('when titles are equal, have no ASCII letters or change, then slugs stay unique, fall back to words of their own, and follow the title only', async () => {
      const jake = await api.register();
      const [first, second] = [await write(jake), await write(jake)];
      expect(first.slug).not.toBe(second.slug);
      expect(second.slug).toMatch(/^how-to-train-your-dragon-/);
      expect((await write(jake, { title: 'Привет, мир 🎉' })).slug).toMatch(/^post-[0-9a-z]+$/);
      expect((await write(jake, { title: 'Crème brûlée!' })).slug).toMatch(/^creme-brulee-[0-9a-z]+$/);
      const described = await api.put(`/articles/${first.slug}`, { article: { description: 'new', body: 'new body' } }, jake.token);
      expect(described.body.article.slug).toBe(first.slug);
      const renamed = (await api.put(`/articles/${first.slug}`, { article: { title: 'Did you train your dragon?' } }, jake.token)).body.article as Article;
      expect(renamed.slug).toMatch(/^did-you-train-your-dragon-[0-9a-z]+$/);
      expect(renamed.slug.split('-').pop()).toBe(first.slug.split('-').pop());
      expect((await api.get(`/articles/${first.slug}`)).status).toBe(404);
      expect((await api.get(`/articles/${renamed.slug}`)).body.article).toEqual({ ...renamed, description: 'new', body: 'new body' });
    });

    it('when an editor sends the whole article back, then slug, author and other extra fields are dropped and tagList replaces the tags', async () => {
      const jake = await api.register();
      const article = await write(jake, { tagList: ['a'] });
      const response = await api.put(`/articles/${article.slug}`, { article: { ...article, slug: 'forged', author: { username: 'x' }, favoritesCount: 99, body: 'edited', tagList: ['b', 'c'] } }, jake.token);
      expect(response.status).toBe(200);
      expect(response.body.article).toEqual({ ...article, body: 'edited', tagList: ['b', 'c'], updatedAt: expect.stringMatching(isoMillis) });
      expect((await api.put(`/articles/${article.slug}`, { article: { title: { $set: 'x' } } }, jake.token)).body).toEqual(conduitError(422, { title: [expect.any(String)] }));
      expect((await api.put(`/articles/${article.slug}`, { article: { body: '' } }, jake.token)).body).toEqual(conduitError(422, { body: [expect.any(String)] }));
      expect((await api.get(`/articles/${article.slug}`)).body.article.body).toBe('edited');
    });

    it("when another user changes or deletes an article, then 403 and it stays; its author deletes it with 200 and then it is 404", async () => {
      const [jake, other] = [await api.register(), await api.register()];
      const article = await write(jake);
      expect((await api.put(`/articles/${article.slug}`, { article: { title: 'Mine now' } }, other.token)).body).toEqual(conduitError(403, { body: [expect.any(String)] }));
      expect((await api.delete(`/articles/${article.slug}`, other.token)).status).toBe(403);
      expect((await api.get(`/articles/${article.slug}`)).body.article).toEqual(article);
      const deleted = await api.delete(`/articles/${article.slug}`, jake.token);
      expect(deleted.status).toBe(200);
      expect(deleted.text).toBe('');
      for (const response of [await api.get(`/articles/${article.slug}`), await api.delete(`/articles/${article.slug}`, jake.token), await api.post(`/articles/${article.slug}/favorite`, undefined, jake.token)]) {
        expect(response.body).toEqual(conduitError(404, { body: [expect.any(String)] }));
      }
    });

    it('when an article is invalid or no token is sent, then 422 naming each field, or 401, and nothing is stored', async () => {
      const jake = await api.register();
      expect((await api.post('/articles', { article: { title: '', body: 'x', tagList: 'notalist' } }, jake.token)).body).toEqual(conduitError(422, { title: [expect.any(String)], tagList: [expect.any(String)] }));
      expect((await api.post('/articles', { article: { title: 't' } }, jake.token)).body).toEqual(conduitError(422, { body: [expect.any(String)] }));
      expect((await api.post('/articles', { title: 't', body: 'b' }, jake.token)).body).toEqual(conduitError(422, { article: ['must be an object'] }));
      expect((await api.post('/articles', { article: { title: 't', body: 'b' } })).status).toBe(401);
      expect((await api.get('/articles')).body).toEqual({ articles: [], articlesCount: 0 });
    });

    it('when an article is written twice with one Idempotency-Key, then the second answer is the first and one article exists', async () => {
      const jake = await api.register();
      const send = () => api.raw().post('/api/articles').set('Authorization', `Token ${jake.token}`).set('Idempotency-Key', 'article-1').set('Content-Type', 'application/json').send({ article: { title: 'Once', body: 'only once' } });
      const [first, second] = [await send(), await send()];
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.text).toBe(first.text);
      expect((await api.get('/articles')).body.articlesCount).toBe(1);
    });
  });

  describe('favorites', () => {
    it('when an article is favorited twice and unfavorited twice, then favorited and favoritesCount follow, once, per caller', async () => {
      const [jake, fan] = [await api.register(), await api.register()];
      const article = await write(jake);
      for (let i = 0; i < 2; i++) {
        const favorited = await api.post(`/articles/${article.slug}/favorite`, undefined, fan.token);
        expect(favorited.status).toBe(200);
        expect(favorited.body.article).toEqual({ ...article, favorited: true, favoritesCount: 1 });
      }
      expect(await storedFavorites(context.store)).toHaveLength(1);
      expect((await api.get(`/articles/${article.slug}`, jake.token)).body.article).toEqual({ ...article, favorited: false, favoritesCount: 1 });
      expect((await api.get(`/articles/${article.slug}`)).body.article).toEqual({ ...article, favoritesCount: 1 });
      expect((await api.get(`/articles/${article.slug}`, fan.token)).body.article.favorited).toBe(true);
      for (let i = 0; i < 2; i++) {
        const unfavorited = await api.delete(`/articles/${article.slug}/favorite`, fan.token);
        expect(unfavorited.body.article).toEqual({ ...article, favorited: false, favoritesCount: 0 });
      }
      expect((await api.post(`/articles/${article.slug}/favorite`)).status).toBe(401);
    });
  });

  describe('lists', () => {
    /**
     * Three authors write fifteen articles with tags from a small set; some are favorited. Each list is
     * compared with a model: newest first, the filters, and articlesCount the whole match on every page.
     */
    it('when articles are listed by tag, author and favorited, page by page, then each page and articlesCount match the model', async () => {
      const users = [await api.register(), await api.register(), await api.register()];
      const written: { slug: string; author: string; tags: string[]; favoritedBy: string[] }[] = [];
      for (let i = 0; i < 15; i++) {
        const author = users[i % 3];
        const tags = ['alpha', 'beta', 'gamma'].filter((_tag, t) => (i + t) % 2 === 0);
        const article = await write(author, { title: `Article ${i}`, tagList: tags });
        written.push({ slug: article.slug, author: author.user.username, tags, favoritedBy: [] });
      }
      for (const [i, item] of written.entries()) {
        const fans = users.filter((_user, u) => (i + u) % 4 === 0);
        for (const fan of fans) {
          await api.post(`/articles/${item.slug}/favorite`, undefined, fan.token);
          item.favoritedBy.push(fan.user.username);
        }
      }
      const newestFirst = [...written].reverse();
      const filters: [string, (item: (typeof written)[number]) => boolean][] = [
        ['', () => true],
        ['tag=beta', (item) => item.tags.includes('beta')],
        [`author=${users[1].user.username}`, (item) => item.author === users[1].user.username],
        [`favorited=${users[2].user.username}`, (item) => item.favoritedBy.includes(users[2].user.username)],
        [`tag=alpha&author=${users[0].user.username}`, (item) => item.tags.includes('alpha') && item.author === users[0].user.username],
        ['author=nobody', () => false],
        ['favorited=nobody', () => false],
        ['tag=unknown', () => false],
      ];
      for (const [query, matches] of filters) {
        const expected = newestFirst.filter(matches).map(({ slug }) => slug);
        for (const offset of [0, 4, 8, 40]) {
          const response = await api.get(`/articles?${query}&limit=4&offset=${offset}`, users[0].token);
          expect(response.status).toBe(200);
          expect({ query, offset, slugs: response.body.articles.map((a: Article) => a.slug), count: response.body.articlesCount }).toEqual({ query, offset, slugs: expected.slice(offset, offset + 4), count: expected.length });
        }
      }
      const page = (await api.get('/articles', users[0].token)).body as { articles: Article[]; articlesCount: number };
      expect(page.articles).toHaveLength(15);
      for (const article of page.articles) {
        const item = written.find(({ slug }) => slug === article.slug)!;
        expect(article).not.toHaveProperty('body');
        expect(article.favorited).toBe(item.favoritedBy.includes(users[0].user.username));
        expect(article.favoritesCount).toBe(item.favoritedBy.length);
        expect(article.tagList).toEqual(item.tags);
      }
    });

    it('when the caller follows authors, then the feed lists only their articles, newest first, with articlesCount, following and favorited', async () => {
      const [reader, followed, stranger] = [await api.register(), await api.register(), await api.register()];
      const mine = [await write(followed, { title: 'one' }), await write(stranger, { title: 'two' }), await write(followed, { title: 'three' })];
      expect((await api.get('/articles/feed', reader.token)).body).toEqual({ articles: [], articlesCount: 0 });
      await api.post(`/profiles/${followed.user.username}/follow`, undefined, reader.token);
      await api.post(`/articles/${mine[0].slug}/favorite`, undefined, reader.token);
      const feed = await api.get('/articles/feed?limit=1&offset=1', reader.token);
      expect(feed.body.articlesCount).toBe(2);
      expect(feed.body.articles).toEqual([{ ...mine[0], body: undefined, favorited: true, favoritesCount: 1, author: { ...mine[0].author, following: true } }].map(({ body: _body, ...rest }) => rest));
      expect((await api.get('/articles/feed')).status).toBe(401);
      expect(feed.headers.vary).toMatch(/Authorization/);
    });

    it('when one address asks for deep offsets past the expensive-read limit, then 429; shallow pages and their counts are not limited', async () => {
      const limited = conduit(context, { expensiveReadLimit: { limit: 1, windowMs: 60_000 } });
      for (let i = 0; i < 3; i++) expect((await limited.get('/articles?offset=999')).status).toBe(200);
      expect((await limited.get('/articles?offset=1000')).status).toBe(200);
      const refused = await limited.get('/articles?offset=1000');
      expect(refused.status).toBe(429);
      expect(refused.body.errors).toEqual({ body: [expect.stringContaining('too many deep offsets')] });
      expect((await limited.get('/articles')).status).toBe(200);
    });

    it('when list parameters are malformed, then 422 naming them; unknown parameters are ignored; a trailing slash is the same list', async () => {
      const jake = await api.register();
      await write(jake);
      for (const [query, field] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['offset=-1', 'offset'], ['offset=10001', 'offset'], ['limit=abc', 'limit'], ['tag=a&tag=b', 'tag']]) {
        const response = await api.get(`/articles?${query}`);
        expect(response.status).toBe(422);
        expect(Object.keys(response.body.errors)).toEqual([field]);
      }
      expect((await api.get('/articles?unknown=1')).body.articlesCount).toBe(1);
      expect((await api.get('/articles/')).body).toEqual((await api.get('/articles')).body);
    });
  });

  describe('comments', () => {
    it('when comments are written, then each has an integer id, the list is newest first with following per caller, and only its author deletes one', async () => {
      const [jake, commenter, reader] = [await api.register(), await api.register(), await api.register()];
      const article = await write(jake);
      const first = await api.post(`/articles/${article.slug}/comments`, { comment: { body: 'first' } }, commenter.token);
      expect(first.status).toBe(200);
      expect(first.body.comment).toEqual({ id: expect.any(Number), body: 'first', createdAt: expect.stringMatching(isoMillis), updatedAt: expect.stringMatching(isoMillis), author: { username: commenter.user.username, bio: '', image: null, following: false } });
      expect(Number.isSafeInteger(first.body.comment.id) && first.body.comment.id > 0).toBe(true);
      const second = (await api.post(`/articles/${article.slug}/comments`, { comment: { body: 'second' } }, jake.token)).body.comment;
      expect(second.id).not.toBe(first.body.comment.id);
      await api.post(`/profiles/${commenter.user.username}/follow`, undefined, reader.token);
      const listed = (await api.get(`/articles/${article.slug}/comments`, reader.token)).body.comments as { id: number; body: string; author: { following: boolean } }[];
      expect(listed.map(({ body, author }) => [body, author.following])).toEqual([['second', false], ['first', true]]);
      expect((await api.get(`/articles/${article.slug}/comments`)).body.comments.map((c: { body: string }) => c.body)).toEqual(['second', 'first']);
      // The article's author may not delete another's comment here (the native API lets them).
      expect((await api.delete(`/articles/${article.slug}/comments/${first.body.comment.id}`, jake.token)).body).toEqual(conduitError(403, { body: ["only the comment's author can delete a comment"] }));
      const deleted = await api.delete(`/articles/${article.slug}/comments/${first.body.comment.id}`, commenter.token);
      expect(deleted.status).toBe(200);
      expect((await api.get(`/articles/${article.slug}/comments`)).body.comments.map((c: { id: number }) => c.id)).toEqual([second.id]);
    });

    it("when a comment id belongs to another article, is unknown or is no integer, then 404, and nothing is deleted", async () => {
      const jake = await api.register();
      const [one, two] = [await write(jake), await write(jake)];
      const comment = (await api.post(`/articles/${one.slug}/comments`, { comment: { body: 'on one' } }, jake.token)).body.comment;
      for (const id of [String(comment.id), '999999', '0', '-1', '1.5', 'abc', `${comment.id}x`]) {
        const response = await api.delete(`/articles/${two.slug}/comments/${id}`, jake.token);
        expect(response.body).toEqual(conduitError(404, { body: [expect.any(String)] }));
      }
      expect((await api.get(`/articles/${one.slug}/comments`)).body.comments).toHaveLength(1);
      expect((await api.post('/articles/unknown-1/comments', { comment: { body: 'x' } }, jake.token)).status).toBe(404);
      expect((await api.post(`/articles/${one.slug}/comments`, { comment: { body: '' } }, jake.token)).body).toEqual(conduitError(422, { body: [expect.any(String)] }));
      expect((await api.post(`/articles/${one.slug}/comments`, { comment: { body: 'x' } })).status).toBe(401);
    });
  });

  describe('tags', () => {
    it('when articles carry tags, then /api/tags lists their names, most used first, and none that no article carries', async () => {
      const jake = await api.register();
      expect((await api.get('/tags')).body).toEqual({ tags: [] });
      await write(jake, { tagList: ['rare', 'common'] });
      await write(jake, { tagList: ['common', 'middle'] });
      const gone = await write(jake, { tagList: ['common', 'middle', 'deleted'] });
      await api.delete(`/articles/${gone.slug}`, jake.token);
      await write(jake, { tagList: ['common', 'middle'] });
      expect((await api.get('/tags')).body).toEqual({ tags: ['common', 'middle', 'rare'] });
    });
  });

  describe('a whole visit', () => {
    it('when a user registers, writes, is followed, read in a feed, favorited, commented on and deletes, then every answer follows from the ones before', async () => {
      const author = await api.register();
      const reader = await api.register();
      const article = await write(author, { title: 'A whole visit', tagList: ['visit'] });
      expect((await api.post(`/profiles/${author.user.username}/follow`, undefined, reader.token)).body.profile.following).toBe(true);
      const feed = (await api.get('/articles/feed', reader.token)).body;
      expect(feed.articlesCount).toBe(1);
      expect(feed.articles[0]).toEqual(expect.objectContaining({ slug: article.slug, author: expect.objectContaining({ following: true }) }));
      expect((await api.post(`/articles/${article.slug}/favorite`, undefined, reader.token)).body.article).toEqual(expect.objectContaining({ favorited: true, favoritesCount: 1 }));
      const comment = (await api.post(`/articles/${article.slug}/comments`, { comment: { body: 'Well said' } }, reader.token)).body.comment;
      expect((await api.get(`/articles?favorited=${reader.user.username}`)).body.articles.map((a: Article) => a.slug)).toEqual([article.slug]);
      expect((await api.get(`/articles/${article.slug}/comments`, author.token)).body.comments).toEqual([{ ...comment, author: { ...comment.author, following: false } }]);
      expect((await api.get('/tags')).body.tags).toEqual(['visit']);
      expect((await api.delete(`/articles/${article.slug}/comments/${comment.id}`, reader.token)).status).toBe(200);
      expect((await api.delete(`/articles/${article.slug}`, author.token)).status).toBe(200);
      expect((await api.get('/articles/feed', reader.token)).body).toEqual({ articles: [], articlesCount: 0 });
      expect((await api.get(`/articles?favorited=${reader.user.username}`)).body).toEqual({ articles: [], articlesCount: 0 });
      expect(await storedFavorites(context.store)).toEqual([]);
      expect((await api.get('/tags')).body.tags).toEqual([]);
    });

    it('when 20 comments are written at once on one article, then each gets its own integer id and all are listed', async () => {
      const [jake, other] = [await api.register(), await api.register()];
      const article = await write(jake);
      const written = await Promise.all(
        Array.from({ length: 20 }, (_item, i) => api.post(`/articles/${article.slug}/comments`, { comment: { body: `comment ${i}` } }, i % 2 === 0 ? jake.token : other.token)),
      );
      expect(written.map(({ status }) => status)).toEqual(Array(20).fill(200));
      const ids = written.map(({ body }) => body.comment.id as number);
      expect(new Set(ids).size).toBe(20);
      const listed = (await api.get(`/articles/${article.slug}/comments`)).body.comments as { id: number }[];
      expect(listed.map(({ id }) => id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    });

    it('when a body is not UTF-8, too deep or not JSON, then 422 or 413 or 415 with an errors object, and nothing is written', async () => {
      const jake = await api.register();
      // superagent would send a Buffer under a JSON type as JSON ({"type":"Buffer",…}): its bytes go as they are.
      const asIs = (bytes: Buffer | string) => bytes as unknown as string;
      const send = (body: Buffer | string, type = 'application/json') => api.raw().post('/api/articles').set('Authorization', `Token ${jake.token}`).set('Content-Type', type).serialize(asIs).send(body);
      const latin1 = Buffer.concat([Buffer.from('{"article":{"title":"caf'), Buffer.from([0xe9]), Buffer.from('","body":"b"}}')]);
      expect((await send(latin1)).body).toEqual(conduitError(422, { body: ['request body is not valid UTF-8'] }));
      expect((await send(`${'{"a":'.repeat(20)}1${'}'.repeat(20)}`)).status).toBe(422);
      expect((await send('title=x', 'application/x-www-form-urlencoded')).status).toBe(415);
      expect((await send(JSON.stringify({ article: { title: 't', body: 'x'.repeat(1_100_000) } }))).status).toBe(413);
      expect((await api.get('/articles')).body.articlesCount).toBe(0);
    });
  });

  describe('the surface', () => {
    it('when an unknown /api path or a wrong method is asked for, then 404 or 405 with an errors object', async () => {
      expect((await api.get('/nothing')).body).toEqual(conduitError(404, { body: ['no route for GET /api/nothing'] }));
      const wrong = await api.raw().patch('/api/articles');
      expect(wrong.status).toBe(405);
      expect(wrong.headers.allow).toBe('GET, POST');
      expect(wrong.body.errors).toEqual({ body: [expect.any(String)] });
    });

    it('when a frontend on a listed origin calls, then the preflight and the answer carry CORS headers', async () => {
      const cors = conduit(context, { corsOrigins: ['https://conduit.example'] });
      // Preflights are the browser's CORS protocol, not API answers: the API document does not list them.
      const preflight = await request(createApp(context.store, { ...testAppOptions, corsOrigins: ['https://conduit.example'] }))
        .options('/api/articles')
        .set('Origin', 'https://conduit.example')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type,x-requested-with');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://conduit.example');
      expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/i);
      const answer = await cors.raw().get('/api/tags').set('Origin', 'https://conduit.example');
      expect(answer.headers['access-control-allow-origin']).toBe('https://conduit.example');
    });
  });
});
