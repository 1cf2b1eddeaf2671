import { type CountFilter, type PostSort, type Slice, searchScanLimit } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser } from '../support/factories';
import { creationRank, modelMatches, modelOrder, modelPages, walkPages, walkPosts } from '../support/post-model';

/** Titles and contents where stores' own case rules, or their pattern characters, would give other answers. */
const texts: [title: string, content: string][] = [
  ['Straße', 'a street'],
  ['STRASSE', 'upper case'],
  ['ΟΔΟΣ', 'Greek capitals'],
  ['οδος', 'final sigma'],
  ['İstanbul', 'dotted capital I'],
  ['istanbul', 'plain i'],
  ['100% _done_', 'percent and underscores'],
  ['a.b*c', 'dot and star'],
  ['C:\\path\\file', 'backslashes'],
  ['(x) [y] {z} ^$ |?+', 'brackets and anchors'],
  ['Émile', 'accent, capital'],
  ['plain title', 'hidden in the CONTENT: Ünïcödé'],
];

describeEachStore('search contract', (context) => {
  const posts = () => context.store.posts;
  let created: Post[];
  const titlesFound = async (q: string) =>
    (await walkPosts(posts(), { field: 'title', direction: 'asc' }, { q }, 100)).map((post) => post.title).sort();

  beforeEach(async () => {
    const authorId = (await context.store.users.create(aUser())).id;
    created = [];
    for (const [title, content] of texts) created.push(await posts().create(aPost(authorId, { title, content })));
  });

  it.each([
    ['STRASSE', ['STRASSE', 'Straße']],
    ['ß', ['STRASSE', 'Straße']],
    ['strasse', ['STRASSE', 'Straße']],
    ['Σ', ['ΟΔΟΣ', 'οδος']],
    ['οδοσ', ['ΟΔΟΣ', 'οδος']],
    ['ς', ['ΟΔΟΣ', 'οδος']],
    ['İ', ['İstanbul']],
    ['i̇stanbul', ['İstanbul']],
    ['istanbul', ['istanbul']],
    ['%', ['100% _done_']],
    ['_', ['100% _done_']],
    ['.', ['a.b*c']],
    ['*', ['a.b*c']],
    ['\\', ['C:\\path\\file']],
    ['(', ['(x) [y] {z} ^$ |?+']],
    ['[', ['(x) [y] {z} ^$ |?+']],
    ['^$', ['(x) [y] {z} ^$ |?+']],
    ['émile', ['Émile']],
    ['ÜNÏCÖDÉ', ['plain title']],
    ['a street', ['Straße']],
    ['no such text', []],
  ])('when the query is %j, then exactly the posts that contain it, case-folded, are found', async (q, titles) => {
    expect(await titlesFound(q)).toEqual([...titles].sort());
    expect(created.filter((post) => modelMatches(post, { q })).map((post) => post.title).sort()).toEqual([...titles].sort());
  });

  it('when search is combined with other filters and sorts, then pages follow the rules exactly', async () => {
    const sorts: PostSort[] = [
      { field: 'createdAt', direction: 'asc' },
      { field: 'title', direction: 'desc' },
    ];
    for (const q of ['s', 'a', 'T']) {
      const matching = created.filter((post) => modelMatches(post, { q }));
      for (const sort of sorts) {
        const walked = await walkPosts(posts(), sort, { q }, 2);
        expect(walked.map((post) => post.id)).toEqual(modelOrder(matching, sort, creationRank(created)).map((post) => post.id));
      }
    }
  });

  it('when a count is asked with a search, then the port refuses it: a search is never counted', async () => {
    await expect(posts().count({ q: 'a' } as CountFilter)).rejects.toThrow('a search is not counted');
  });

  it('when a title or content changes, then search finds the new text and not the old', async () => {
    const [street] = created;
    await posts().update(street.id, { title: 'Avenue', content: 'MAẞSTAB' });
    expect(await titlesFound('straße')).toEqual(['STRASSE']);
    expect(await titlesFound('massstab')).toEqual(['Avenue']);
  });

  describe('the scan limit of a search page', () => {
    const newest: PostSort = { field: 'publicationDate', direction: 'desc' };
    /** `count` posts that match no search here, published a second apart from 2024 on, newest last. */
    const filler = async (authorId: string, count: number, from = 0) =>
      posts().createMany(
        Array.from({ length: count }, (_, i) =>
          aPost(authorId, { title: `filler ${from + i}`, content: 'nothing here', publicationDate: new Date(Date.UTC(2024, 0, 1) + (from + i) * 1000) }),
        ),
      );

    it(`when a search matches nothing among more than ${searchScanLimit} posts, then a page examines ${searchScanLimit} of them, answers none, and the next page goes on from the last one examined`, async () => {
      const authorId = created[0].authorId;
      // The oldest post matches; the newest searchScanLimit + 20 do not.
      await filler(authorId, searchScanLimit + 20);
      const first = await posts().find({ sort: newest, filter: { q: 'needle' }, limit: 10 });
      const newestFirst = (await walkPosts(posts(), newest, {}, 100)).map((post) => post.id);
      const lastExamined = newestFirst[searchScanLimit - 1];
      expect(first).toEqual({ items: [], hasMore: true, continueAfter: { value: expect.any(Date), id: lastExamined } });

      const needle = await posts().create(aPost(authorId, { title: 'the NEEDLE', publicationDate: new Date('2000-01-01T00:00:00.000Z') }));
      const walked = await walkPages(posts(), { sort: newest, filter: { q: 'needle' }, limit: 10 });
      expect(walked.flatMap((page) => page.items).map((post) => post.id)).toEqual([needle.id]);
      // The 12 posts of beforeEach (published now), the filler, then the needle: two pages, the second ends the list.
      expect(walked.map((page) => [page.items.length, page.hasMore])).toEqual([
        [0, true],
        [1, false],
      ]);
    });

    it('when a search finds more than the limit before its scan limit, then the page is full and the next starts after its last item', async () => {
      const authorId = created[0].authorId;
      for (let i = 0; i < 7; i += 1) await posts().create(aPost(authorId, { title: `hay ${i}`, content: 'needle' }));
      const page = await posts().find({ sort: { field: 'createdAt', direction: 'desc' }, filter: { q: 'needle' }, limit: 3, scanLimit: 5 });
      expect(page.items.map((post) => post.title)).toEqual(['hay 6', 'hay 5', 'hay 4']);
      expect(page).toEqual({ items: page.items, hasMore: true });
    });

    it('when the list ends within the scan limit, then the page says so, however few it found', async () => {
      const page = await posts().find({ sort: newest, filter: { q: 'no such text' }, limit: 10, scanLimit: created.length + 1 });
      expect(page).toEqual({ items: [], hasMore: false });
      const exactly = await posts().find({ sort: newest, filter: { q: 'no such text' }, limit: 10, scanLimit: created.length });
      expect(exactly).toEqual({ items: [], hasMore: true, continueAfter: expect.objectContaining({ id: expect.any(String) }) });
      expect(await posts().find({ sort: newest, filter: { q: 'no such text' }, limit: 10, after: exactly.continueAfter })).toEqual({ items: [], hasMore: false });
    });

    it('when a search is walked with other filters under every sort with a small scan limit, then every page is what the rules give', async () => {
      const authorId = created[0].authorId;
      await filler(authorId, 30);
      const all = await walkPosts(posts(), { field: 'createdAt', direction: 'asc' }, {}, 100);
      const rank = creationRank(all);
      for (const sort of [newest, { field: 'title', direction: 'asc' } as const, { field: 'createdAt', direction: 'desc' } as const]) {
        for (const filter of [{ q: 'e' }, { q: 'filler 1' }, { q: 'a', publishedAfter: new Date('2024-01-01T00:00:10.000Z') }]) {
          const ordered = modelOrder(all.filter((post) => modelMatches(post, { ...filter, q: undefined })), sort, rank);
          for (const [limit, scanLimit] of [[2, 4], [5, 9]]) {
            const expected = modelPages(ordered, { sort, filter, limit, scanLimit });
            const actual = await walkPages(posts(), { sort, filter, limit, scanLimit });
            expect(actual.map(pageIds)).toEqual(expected.map(pageIds));
          }
        }
      }
    }, 120_000);
  });
});

/** A page by ids, and where the next one starts. */
function pageIds({ items, hasMore, continueAfter }: Slice<Post>) {
  return { items: items.map((post) => post.id), hasMore, continueAfter: continueAfter?.id };
}
