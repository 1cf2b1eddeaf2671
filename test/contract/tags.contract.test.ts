import { InvalidReferenceError, PreconditionFailedError } from '../../src/domain/errors';
import type { PostSort } from '../../src/domain/listing';
import type { Post } from '../../src/domain/post';
import type { TagCount } from '../../src/domain/tags';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser } from '../support/factories';
import { creationRank, modelMatches, modelOrder, walkPosts } from '../support/post-model';

/** Tags whose order or equality a collation would get wrong: case-folded forms, accents, outside the BMP. */
const awkward = ['ß', 'ss', 'émile', 'emile', 'i̇', '😀', 'zebra', '\uFFFD'];

describeEachStore('tags contract', (context) => {
  const posts = () => context.store.posts;
  const tagsOf = async (id: string) => (await posts().findById(id))!.tags;
  const allTags = async (limit = 100) => {
    const seen: TagCount[] = [];
    let after: TagCount | undefined;
    for (let page = 0; page < 100; page += 1) {
      const slice = await context.store.tags.find({ limit, after });
      seen.push(...slice.items);
      if (!slice.hasMore) return seen;
      after = slice.items.at(-1);
    }
    throw new Error('the walk did not end');
  };
  let authorId: string;

  beforeEach(async () => {
    authorId = (await context.store.users.create(aUser())).id;
  });

  it('when a post is created with tags, then they come back in code-point order, distinct by exact value, on every read', async () => {
    const post = await posts().create(aPost(authorId, { tags: ['zebra', 'ß', 'ss', '😀', 'émile', 'emile', 'i̇', '\uFFFD'] }));
    const expected = ['emile', 'i̇', 'ss', 'zebra', 'ß', 'émile', '\uFFFD', '😀'];
    expect(post.tags).toEqual(expected);
    expect(await tagsOf(post.id)).toEqual(expected);
    const page = await posts().find({ sort: { field: 'title', direction: 'asc' }, filter: {}, limit: 10 });
    expect(page.items[0].tags).toEqual(expected);
  });

  it('when tags are changed, then the set is replaced and the version goes up; other changes keep the tags', async () => {
    const post = await posts().create(aPost(authorId, { tags: ['a', 'b'] }));
    const retagged = await posts().update(post.id, { tags: ['c', 'b'] });
    expect(retagged).toMatchObject({ tags: ['b', 'c'], version: 2 });
    expect(await posts().findById(post.id)).toEqual(retagged);
    const renamed = await posts().update(post.id, { title: 'New title' });
    expect(renamed).toMatchObject({ tags: ['b', 'c'], title: 'New title', version: 3 });
    const cleared = await posts().update(post.id, { tags: [] });
    expect(cleared).toMatchObject({ tags: [], version: 4 });
    expect(await tagsOf(post.id)).toEqual([]);
  });

  it('when a conditional tag change finds another version, then nothing changes', async () => {
    const post = await posts().create(aPost(authorId, { tags: ['kept'] }));
    await expect(posts().update(post.id, { tags: ['lost'] }, { expected: [7] })).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await posts().findById(post.id)).toEqual(post);
  });

  it('when tags are counted, then most used come first, ties by code point, and posts deleted or retagged no longer count', async () => {
    const other = (await context.store.users.create(aUser())).id;
    const first = await posts().create(aPost(authorId, { tags: ['b', 'ß', 'a'] }));
    await posts().create(aPost(authorId, { tags: ['ß', 'a'] }));
    await posts().create(aPost(other, { tags: ['a', 'z'] }));
    await posts().create(aPost(other, { tags: [] }));
    expect(await allTags()).toEqual([
      { name: 'a', postCount: 3 },
      { name: 'ß', postCount: 2 },
      { name: 'b', postCount: 1 },
      { name: 'z', postCount: 1 },
    ]);
    await posts().update(first.id, { tags: ['z'] });
    await context.store.users.delete(other);
    expect(await allTags()).toEqual([
      { name: 'a', postCount: 1 },
      { name: 'z', postCount: 1 },
      { name: 'ß', postCount: 1 },
    ]);
    await posts().delete(first.id);
    expect(await allTags()).toEqual([
      { name: 'a', postCount: 1 },
      { name: 'ß', postCount: 1 },
    ]);
  });

  it('when tags are counted, then each name some post carries counts once, and a name whose posts are gone no longer counts', async () => {
    expect(await context.store.tags.count()).toBe(0);
    const first = await posts().create(aPost(authorId, { tags: ['b', 'ß', 'a'] }));
    await posts().create(aPost(authorId, { tags: ['ß', 'a'] }));
    const last = await posts().create(aPost(authorId, { tags: ['a', 'z'] }));
    await posts().create(aPost(authorId, { tags: [] }));
    expect(await context.store.tags.count()).toBe(4);
    await posts().update(first.id, { tags: ['a'] });
    expect(await context.store.tags.count()).toBe(3);
    await posts().delete(last.id);
    expect(await context.store.tags.count()).toBe(2);
  });

  it('when tags are skipped, then the page starts that many tags into the list, in its order, and says whether more follow', async () => {
    for (const [i, tag] of awkward.entries()) {
      for (let n = 0; n <= i % 3; n += 1) await posts().create(aPost(authorId, { tags: [tag] }));
    }
    const whole = await allTags(100);
    expect(whole).toHaveLength(awkward.length);
    for (const skip of [0, 1, 5, whole.length - 1, whole.length, whole.length + 5]) {
      const page = await context.store.tags.find({ limit: 2, skip });
      expect(page.items).toEqual(whole.slice(skip, skip + 2));
      expect(page.hasMore).toBe(skip + 2 < whole.length);
    }
  });

  it('when tags are listed a page at a time, then the pages together are the whole list, in order', async () => {
    for (const [i, tag] of awkward.entries()) {
      // Tag i is on i + 1 posts, and a second tag of each count ties with it.
      for (let n = 0; n <= i % 3; n += 1) await posts().create(aPost(authorId, { tags: [tag, `${tag}-${i % 3}`] }));
    }
    const whole = await allTags(100);
    expect(whole.length).toBeGreaterThan(awkward.length);
    for (const limit of [1, 2, 5]) expect(await allTags(limit)).toEqual(whole);
  });

  it('when posts are filtered by tags, then each post has every tag named, under every sort, and count agrees', async () => {
    const created: Post[] = [];
    const sets = [['a'], ['a', 'b'], ['b'], ['a', 'b', 'ß'], [], ['ß'], ['a', 'ß']];
    for (let i = 0; i < 21; i += 1) created.push(await posts().create(aPost(authorId, { tags: sets[i % sets.length] })));
    const sorts: PostSort[] = [
      { field: 'publicationDate', direction: 'desc' },
      { field: 'title', direction: 'asc' },
    ];
    for (const tags of [['a'], ['a', 'b'], ['ß'], ['a', 'ß'], ['a', 'b', 'ß'], ['missing'], ['a', 'missing']]) {
      const matching = created.filter((post) => modelMatches(post, { tags }));
      for (const sort of sorts) {
        const walked = await walkPosts(posts(), sort, { tags }, 2);
        expect(walked.map((post) => post.id)).toEqual(modelOrder(matching, sort, creationRank(created)).map((post) => post.id));
      }
      expect(await posts().count({ tags })).toBe(matching.length);
    }
  });

  it('when many posts are created at once with the same new tags, then every one is kept with all of them', async () => {
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => posts().create(aPost(authorId, { tags: i % 2 === 0 ? ['new', 'fresh'] : ['fresh', 'new', 'other'] }))),
    );
    for (const post of created) expect(await tagsOf(post.id)).toEqual(post.tags);
    expect(await allTags()).toEqual([
      { name: 'fresh', postCount: 12 },
      { name: 'new', postCount: 12 },
      { name: 'other', postCount: 6 },
    ]);
  });

  it('when a post is created for an author that does not exist, then no tag is left behind', async () => {
    const gone = (await context.store.users.create(aUser())).id;
    await context.store.users.delete(gone);
    await expect(posts().create(aPost(gone, { tags: ['orphan'] }))).rejects.toBeInstanceOf(InvalidReferenceError);
    expect(await allTags()).toEqual([]);
  });
});
