import { type PostFilter, type PostSort, postSortFields } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, malformedIds } from '../support/factories';
import { creationRank, modelMatches, modelOrder, walkPosts } from '../support/post-model';

const sorts: PostSort[] = postSortFields.flatMap((field) => [
  { field, direction: 'desc' as const },
  { field, direction: 'asc' as const },
]);

const newest: PostSort = { field: 'publicationDate', direction: 'desc' };

describeEachStore('feed contract', (context) => {
  const posts = () => context.store.posts;
  const follows = () => context.store.follows;
  /** The reader; three authors, of whom the reader follows the first two; a fourth user who follows the third. */
  let reader: string;
  let authors: string[];
  let other: string;
  /** Every post, in creation order (id order on every store). */
  let created: Post[];

  /** The feed by the rules: the posts of `followed` that the rest of the filter matches, in the sort's order. */
  const expectedFeed = (followed: string[], sort: PostSort, filter: PostFilter = {}) =>
    modelOrder(
      created.filter((post) => followed.includes(post.authorId) && modelMatches(post, filter)),
      sort,
      creationRank(created),
    ).map(({ id }) => id);
  const feed = (sort: PostSort, filter: PostFilter, limit: number, followedBy = reader) =>
    walkPosts(posts(), sort, { ...filter, followedBy }, limit).then((items) => items.map(({ id }) => id));

  beforeEach(async () => {
    [reader, other, ...authors] = (await Promise.all(Array.from({ length: 5 }, () => context.store.users.create(aUser())))).map(({ id }) => id);
    created = [];
    // Equal publication dates across authors, so that ids break ties; tags on every other post.
    const dates = ['2021-06-15T12:00:00.000Z', '2020-01-01T00:00:00.000Z', '1999-12-31T23:59:59.999Z'];
    for (let i = 0; i < 18; i += 1) {
      const input = aPost(authors[i % 3], { title: `${['Zebra', 'apple', 'Émile'][i % 3]} ${i % 4}`, publicationDate: new Date(dates[i % 3]), tags: i % 2 === 0 ? ['even'] : [] });
      created.push(await posts().create(input));
    }
    await follows().follow(reader, authors[0]);
    await follows().follow(reader, authors[1]);
    await follows().follow(other, authors[2]);
  });

  it.each(sorts.map((sort) => [`${sort.field} ${sort.direction}`, sort] as const))(
    'when the feed is walked by %s, then it holds exactly the posts of the followed authors, in order, with no post repeated or skipped',
    async (_name, sort) => {
      const expected = expectedFeed(authors.slice(0, 2), sort);
      expect(expected).toHaveLength(12);
      for (const limit of [1, 5, 100]) expect(await feed(sort, {}, limit)).toEqual(expected);
    },
  );

  it("when two readers follow different authors, then each feed holds only its own reader's followees' posts", async () => {
    expect(await feed(newest, {}, 100, other)).toEqual(expectedFeed([authors[2]], newest));
    expect(await feed(newest, {}, 100)).toEqual(expectedFeed(authors.slice(0, 2), newest));
  });

  it('when the feed is filtered by tag, dates, search or author, then only the followed posts that match come, and count agrees', async () => {
    const followed = authors.slice(0, 2);
    const filters: PostFilter[] = [
      { tags: ['even'] },
      { publishedAfter: new Date('2000-01-01T00:00:00.000Z'), publishedBefore: new Date('2021-01-01T00:00:00.000Z') },
      { q: 'zebra' },
      { authorId: authors[1] },
      // An author the reader does not follow: nothing, though the author has posts.
      { authorId: authors[2] },
      { authorId: authors[0], tags: ['even'], publishedAfter: new Date('2000-01-01T00:00:00.000Z') },
    ];
    for (const filter of filters) {
      const expected = expectedFeed(followed, newest, filter);
      expect(await feed(newest, filter, 2)).toEqual(expected);
      if (filter.q === undefined) expect(await posts().count({ ...filter, followedBy: reader })).toBe(expected.length);
    }
    expect(expectedFeed(followed, newest, { authorId: authors[2] })).toEqual([]);
    expect(await posts().count({ followedBy: reader })).toBe(12);
  });

  it("when the reader unfollows an author, then that author's posts leave the feed, even mid-walk by cursor", async () => {
    const walked = await walkPosts(posts(), newest, { followedBy: reader }, 3, async (page) => {
      if (page === 0) await follows().unfollow(reader, authors[0]);
    });
    const before = expectedFeed(authors.slice(0, 2), newest).slice(0, 3);
    expect(walked.slice(0, 3).map(({ id }) => id)).toEqual(before);
    // After the first page, the rest of the second author's posts, from where that page ended.
    const after = expectedFeed([authors[1]], newest).filter((id) => !before.includes(id));
    expect(walked.slice(3).map(({ id }) => id)).toEqual(after);
    expect(await feed(newest, {}, 100)).toEqual(expectedFeed([authors[1]], newest));
  });

  it('when a followed author is deleted, then their posts are gone from the feed and its count', async () => {
    await context.store.users.delete(authors[0]);
    expect(await feed(newest, {}, 4)).toEqual(expectedFeed([authors[1]], newest));
    expect(await posts().count({ followedBy: reader })).toBe(6);
  });

  it('when the reader follows nobody, or is unknown or malformed, then the feed is an empty last page and counts 0', async () => {
    const loner = (await context.store.users.create(aUser())).id;
    const gone = (await context.store.users.create(aUser())).id;
    await context.store.users.delete(gone);
    for (const followedBy of [loner, gone, ...malformedIds(context.name)]) {
      expect(await posts().find({ sort: newest, filter: { followedBy }, limit: 20 })).toEqual({ items: [], hasMore: false });
      expect(await posts().count({ followedBy })).toBe(0);
    }
  });

  it('when the reader follows an author who has not written yet, then the feed grows as they write', async () => {
    const newcomer = (await context.store.users.create(aUser())).id;
    await follows().follow(reader, newcomer);
    expect(await feed(newest, {}, 100)).toEqual(expectedFeed(authors.slice(0, 2), newest));
    const post = await posts().create(aPost(newcomer, { publicationDate: new Date('2030-01-01T00:00:00.000Z') }));
    const [first] = (await posts().find({ sort: newest, filter: { followedBy: reader }, limit: 1 })).items;
    expect(first).toEqual(post);
  });
});
