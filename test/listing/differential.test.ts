import { databaseConfig } from '../../src/config';
import { type PostFilter, type PostSort, type Slice, postSortFields } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import type { Store } from '../../src/domain/repositories';
import { openStore } from '../../src/stores/open-store';
import { type MongoServer, startMongoServer } from '../support/mongo-server';
import { modelMatches, modelOrder, modelPages, walkPages, walkPosts } from '../support/post-model';
import { type StoreName, type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';

/**
 * One dataset, made the same way on every store from a fixed seed, walked a
 * page at a time under every sort and many filters: every store must give
 * exactly the sequence the in-memory model of the rules gives, so all stores
 * give the same sequence. Posts are compared by their place in the dataset,
 * since each store issues its own ids.
 */
const postCount = 1_000;

const titles = ['Zebra', 'zebra', 'apple', 'Apple', 'Émile', 'émile', 'Straße', 'STRASSE', 'ΟΔΟΣ', 'İstanbul', '😀', '\uFFFD', 'a', 'a ', '100% _done_'];
const words = ['lorem', 'Ipsum', 'ß', 'σ', 'DOLOR', '*', '\\', 'née', 'i̇'];
const tagPool = ['go', 'ruby', 'ß', 'émile', 'web', '😀', 'db', 'x'];
/** Few distinct dates, so most posts tie on publicationDate; some before 1970. */
const dates = ['1899-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2020-02-29T12:00:00.000Z', '2024-06-01T00:00:00.000Z', '2024-06-01T00:00:00.001Z', '2031-01-01T00:00:00.000Z'];

/** A small deterministic generator (mulberry32), so every store gets the same dataset. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sorts: PostSort[] = postSortFields.flatMap((field) => [
  { field, direction: 'desc' as const },
  { field, direction: 'asc' as const },
]);

/** Filters by name; `author` stands for the first author's id, which differs by store. */
const filters: Record<string, (author: string) => PostFilter> = {
  all: () => ({}),
  author: (author) => ({ authorId: author }),
  tag: () => ({ tags: ['ß'] }),
  'two tags': () => ({ tags: ['go', 'web'] }),
  search: () => ({ q: 'SS' }),
  'search for a pattern character': () => ({ q: '%' }),
  'published window': () => ({ publishedAfter: new Date(dates[1]), publishedBefore: new Date(dates[4]) }),
  'author, tag, search and window': (author) => ({ authorId: author, tags: ['go'], q: 'e', publishedAfter: new Date(dates[0]) }),
};

describe.each(enabledStores())('%s: differential listing', (name: StoreName) => {
  let ownServer: MongoServer | undefined;
  let database: TestDatabase;
  let store: Store;
  let authors: string[];
  /** The posts stored now, in the dataset's order; a post's place there is how stores are compared. */
  let live: Post[];

  /** Ties go by id, in the store's id order: numeric on SQL, by ObjectId bytes (hex order) on MongoDB. */
  const rankOf = (posts: Post[]) => {
    const ordered = [...posts].sort((a, b) => (name === 'mongodb' ? (a.id < b.id ? -1 : 1) : Number(a.id) - Number(b.id)));
    const rank = new Map(ordered.map((post, i) => [post.id, i]));
    return (post: Post) => rank.get(post.id)!;
  };
  const places = (posts: Post[]) => {
    const place = new Map(live.map((post, i) => [post.id, i]));
    return posts.map((post) => place.get(post.id) ?? -1);
  };

  beforeAll(async () => {
    // FerretDB sorts every page in memory: a server of its own keeps this file's load off the other files' server.
    if (name === 'mongodb' && !process.env.MONGODB_URL) ownServer = await startMongoServer();
    database = await createTestDatabase(name, ownServer?.url);
    store = await openStore(databaseConfig(database.url));
    authors = [];
    for (let i = 0; i < 5; i += 1) {
      authors.push((await store.users.create({ email: `a${i}@example.com`, username: `author_${i}`, displayName: `A ${i}`, passwordHash: 'x' })).id);
    }
    const next = random(20261125);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const inputs = Array.from({ length: postCount }, (_, i) => ({
      authorId: authors[i % authors.length],
      title: next() < 0.7 ? pick(titles) : `${pick(titles)} ${i}`,
      content: Array.from({ length: 4 }, () => pick(words)).join(' '),
      publicationDate: new Date(pick(dates)),
      tags: [...new Set(Array.from({ length: Math.floor(next() * 4) }, () => pick(tagPool)))],
    }));
    live = [];
    for (let i = 0; i < inputs.length; i += 10) live.push(...(await Promise.all(inputs.slice(i, i + 10).map((input) => store.posts.create(input)))));
  }, 300_000);

  afterAll(async () => {
    await store?.close();
    await database?.drop();
    await ownServer?.stop();
  });

  it.each(Object.keys(filters))('when the %s list is walked under every sort, then every page follows the model exactly', async (filterName) => {
    const filter = filters[filterName](authors[0]);
    const matching = live.filter((post) => modelMatches(post, filter));
    expect(matching.length).toBeGreaterThan(0);
    for (const sort of sorts) {
      const limit = matching.length > 200 ? 97 : 13;
      expect(places(await walkPosts(store.posts, sort, filter, limit))).toEqual(places(modelOrder(matching, sort, rankOf(live))));
    }
    // A search is never counted: its pages are bounded instead (below).
    if (filter.q === undefined) expect(await store.posts.count(filter)).toBe(matching.length);
  }, 120_000);

  // A scan limit below the page's limit, so that every page of a list longer than it ends at it, and the default;
  // one sort of each field in either direction (FerretDB sorts every page in memory). Pages that end at their limit
  // are walked above, under the default scan limit.
  const scans: [limit: number, scanLimit: number | undefined][] = [
    [25, 23],
    [97, undefined],
  ];
  it.each(Object.keys(filters).filter((filterName) => filters[filterName]('').q !== undefined))(
    'when the %s list is walked under every sort across its scan limit, then every page and where the next starts follow the model exactly',
    async (filterName) => {
      const filter = filters[filterName](authors[0]);
      const placeOf = (id: string) => live.findIndex((post) => post.id === id);
      const pageShape = (page: Slice<Post>) => ({ items: places(page.items), hasMore: page.hasMore, continueAfter: page.continueAfter && placeOf(page.continueAfter.id) });
      for (const sort of [sorts[0], sorts[3], sorts[4]]) {
        const ordered = modelOrder(live.filter((post) => modelMatches(post, { ...filter, q: undefined })), sort, rankOf(live));
        for (const [limit, scanLimit] of scans) {
          const expected = modelPages(ordered, { sort, filter, limit, scanLimit });
          if (ordered.length > 25 && scanLimit === 23) expect(expected.some((page) => page.continueAfter !== undefined)).toBe(true);
          expect((await walkPages(store.posts, { sort, filter, limit, scanLimit })).map(pageShape)).toEqual(expected.map(pageShape));
        }
      }
    },
    300_000,
  );

  it.each([sorts[0], sorts[5]])('when posts are added and removed between pages, then each post present throughout comes once, in order (%o)', async (sort) => {
    const removed = new Set<string>();
    const added: Post[] = [];
    const walked = await walkPosts(store.posts, sort, {}, 97, async (page) => {
      const victim = live[(page * 131 + 17) % live.length];
      if (!removed.has(victim.id)) {
        await store.posts.delete(victim.id);
        removed.add(victim.id);
      }
      added.push(await store.posts.create({ authorId: authors[1], title: titles[page % titles.length], content: 'added', publicationDate: new Date(dates[page % dates.length]) }));
    });
    const ids = walked.map((post) => post.id);
    expect(new Set(ids).size).toBe(ids.length);
    const throughout = live.filter((post) => !removed.has(post.id));
    const present = new Set(throughout.map((post) => post.id));
    expect(ids.filter((id) => present.has(id))).toEqual(modelOrder(throughout, sort, rankOf(live)).map((post) => post.id));
    live = [...throughout, ...added];
  }, 120_000);
});
