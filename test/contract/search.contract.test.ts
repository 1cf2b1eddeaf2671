import type { PostSort } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser } from '../support/factories';
import { creationRank, modelMatches, modelOrder, walkPosts } from '../support/post-model';

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
    expect(await posts().count({ q })).toBe(titles.length);
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

  it('when a title or content changes, then search finds the new text and not the old', async () => {
    const [street] = created;
    await posts().update(street.id, { title: 'Avenue', content: 'MAẞSTAB' });
    expect(await titlesFound('straße')).toEqual(['STRASSE']);
    expect(await titlesFound('massstab')).toEqual(['Avenue']);
  });
});
