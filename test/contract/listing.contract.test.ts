import { type PostFilter, type PostSort, compareCodePoints, postSortFields } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser, malformedIds } from '../support/factories';
import { creationRank, modelOrder as orderBy, walkPosts } from '../support/post-model';

const sorts: PostSort[] = postSortFields.flatMap((field) => [
  { field, direction: 'desc' as const },
  { field, direction: 'asc' as const },
]);

/** Titles whose order differs by collation: case, accents, trailing space, outside the BMP, U+FFFD. */
const titles = ['Zebra', 'apple', 'Émile', 'émile', '😀', '\uFFFD', 'a ', 'a', 'Apple', 'zebra', 'ß', 'ſ'];

describeEachStore('post lists contract', (context) => {
  const posts = () => context.store.posts;
  /** Creation order is id order on every store: autoincrement on SQL, ObjectIds made by one process on MongoDB. */
  let created: Post[];

  const modelOrder = (items: Post[], sort: PostSort) => orderBy(items, sort, creationRank(created));
  const walk = (sort: PostSort, filter: PostFilter, limit: number, between?: (page: number) => Promise<void>) =>
    walkPosts(posts(), sort, filter, limit, between);

  beforeEach(async () => {
    const authors = [(await context.store.users.create(aUser())).id, (await context.store.users.create(aUser())).id];
    created = [];
    // Many equal publication dates, and creation times that often tie within a millisecond.
    const dates = ['2020-01-01T00:00:00.000Z', '2021-06-15T12:00:00.000Z', '1900-01-01T00:00:00.000Z'];
    for (let i = 0; i < 36; i += 1) {
      created.push(
        await posts().create(aPost(authors[i % 2], { title: titles[i % titles.length], publicationDate: new Date(dates[i % dates.length]) })),
      );
    }
  });

  it.each(sorts.map((sort) => [`${sort.field} ${sort.direction}`, sort] as const))(
    'when every post is walked by %s, then pages follow the rules exactly, with no post repeated or skipped',
    async (_name, sort) => {
      const expected = modelOrder(created, sort).map((post) => post.id);
      for (const limit of [1, 5, 36, 100]) {
        expect((await walk(sort, {}, limit)).map((post) => post.id)).toEqual(expected);
      }
    },
  );

  it('when titles differ only by case, accents, a trailing space or the plane, then they sort by code point on every store', async () => {
    const page = await posts().find({ sort: { field: 'title', direction: 'asc' }, filter: {}, limit: 100 });
    const distinct = [...new Set(page.items.map((post) => post.title))];
    expect(distinct).toEqual([...new Set(titles)].sort(compareCodePoints));
    // What a locale, a case-insensitive or a UTF-16 order would get wrong:
    const before = (a: string, b: string) => expect(distinct.indexOf(a)).toBeLessThan(distinct.indexOf(b));
    before('Zebra', 'apple');
    before('a', 'a ');
    before('apple', 'Émile');
    before('Émile', 'émile');
    before('\uFFFD', '😀');
  });

  it('when the list is filtered by author and publication dates, then only those posts come, in order, and count agrees', async () => {
    const authorId = created[0].authorId;
    const filters: [PostFilter, (post: Post) => boolean][] = [
      [{ authorId }, (post) => post.authorId === authorId],
      [{ publishedAfter: new Date('2020-01-01T00:00:00.000Z') }, (post) => post.publicationDate > new Date('2020-01-01T00:00:00.000Z')],
      [{ publishedBefore: new Date('2020-01-01T00:00:00.000Z') }, (post) => post.publicationDate < new Date('2020-01-01T00:00:00.000Z')],
      [
        { authorId, publishedAfter: new Date('1900-01-01T00:00:00.000Z'), publishedBefore: new Date('2021-06-15T12:00:00.000Z') },
        (post) => post.authorId === authorId && post.publicationDate.getUTCFullYear() === 2020,
      ],
    ];
    for (const [filter, matches] of filters) {
      for (const sort of [sorts[0], sorts[5]]) {
        expect((await walk(sort, filter, 4)).map((post) => post.id)).toEqual(modelOrder(created.filter(matches), sort).map((post) => post.id));
      }
      expect(await posts().count(filter)).toBe(created.filter(matches).length);
    }
    expect(await posts().count({})).toBe(created.length);
  });

  it('when the author is unknown or malformed, or the position names no possible id, then nothing matches', async () => {
    const gone = (await context.store.users.create(aUser())).id;
    await context.store.users.delete(gone);
    for (const authorId of [gone, ...malformedIds(context.name)]) {
      expect(await posts().find({ sort: sorts[0], filter: { authorId }, limit: 10 })).toEqual({ items: [], hasMore: false });
      expect(await posts().count({ authorId })).toBe(0);
    }
    const after = { value: new Date('2020-01-01T00:00:00.000Z'), id: malformedIds(context.name)[0] };
    expect(await posts().find({ sort: sorts[0], filter: {}, limit: 10, after })).toEqual({ items: [], hasMore: false });
  });

  it('when posts are added and removed between pages, then every post present throughout comes exactly once, in order', async () => {
    const sort: PostSort = { field: 'publicationDate', direction: 'desc' };
    const removed = new Set<string>();
    const seen = await walk(sort, {}, 5, async (page) => {
      const victim = created[(page * 7 + 3) % created.length];
      if (!removed.has(victim.id)) {
        await posts().delete(victim.id);
        removed.add(victim.id);
      }
      await posts().create(aPost(created[0].authorId, { title: `added ${page}`, publicationDate: new Date('2020-01-01T00:00:00.000Z') }));
    });
    const ids = seen.map((post) => post.id);
    expect(new Set(ids).size).toBe(ids.length);
    const throughout = modelOrder(created.filter((post) => !removed.has(post.id)), sort).map((post) => post.id);
    expect(ids.filter((id) => throughout.includes(id))).toEqual(throughout);
  });
});
