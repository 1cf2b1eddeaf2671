import { describeEachStore } from '../support/each-store';
import { conduit } from '../support/conduit-api';
import { type StoreCalls, recordStoreCalls, storeCalls } from '../support/store-calls';

/**
 * A Conduit list page carries, per article, its author, whether the caller favorites it and whether the
 * caller follows its author: each read once for the whole page, never once per article. So a page of 20
 * articles by 20 authors costs the store as many calls as a page of 2.
 */
/**
 * The session, then the page, its count, the authors, the favorites and the follows. On MongoDB the feed's page
 * and its count each read the caller's followees first: a collection has no join.
 */
const expected: Record<string, Record<string, number>> = {
  sqlite: { '/articles': 6, '/articles/feed': 6 },
  postgres: { '/articles': 6, '/articles/feed': 6 },
  mysql: { '/articles': 6, '/articles/feed': 6 },
  mongodb: { '/articles': 6, '/articles/feed': 8 },
};

describeEachStore('store calls of Conduit lists', (context) => {
  const api = conduit(context);
  let calls: StoreCalls;

  beforeAll(() => {
    calls = recordStoreCalls(context.name);
  });
  afterAll(() => calls.restore());

  const callsOf = async (path: string, token: string) => {
    calls.start();
    const response = await api.get(path, token);
    expect(response.status).toBe(200);
    return { articles: response.body.articles.length as number, calls: storeCalls(calls.sent()) };
  };

  it('when a signed-in caller reads a page of 2 or of 20 articles by as many authors, the list or the feed, then the store is called as often', async () => {
    const reader = await api.register();
    const authors = [];
    for (let i = 0; i < 20; i++) authors.push(await api.register());
    for (const [i, author] of authors.entries()) {
      const article = (await api.post('/articles', { article: { title: `Article ${i}`, body: 'text', tagList: ['t'] } }, author.token)).body.article;
      await api.post(`/profiles/${author.user.username}/follow`, undefined, reader.token);
      if (i % 2 === 0) await api.post(`/articles/${article.slug}/favorite`, undefined, reader.token);
    }
    for (const path of ['/articles', '/articles/feed']) {
      await callsOf(`${path}?limit=2`, reader.token); // warm
      const small = await callsOf(`${path}?limit=2`, reader.token);
      const full = await callsOf(`${path}?limit=20`, reader.token);
      expect([small.articles, full.articles]).toEqual([2, 20]);
      expect(full.calls).toBe(small.calls);
      expect({ path, calls: full.calls }).toEqual({ path, calls: expected[context.name][path] });
    }
  });
});
