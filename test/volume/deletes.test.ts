import type { Store } from '../../src/domain/repositories';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser } from '../support/factories';
import { seedComments, seedFavorites, seedFollows, storedComments, storedFavorites, storedFollows, storedTagLinks } from '../support/stored-records';

/** FerretDB reads whole collections: seeding and deleting thousands of documents there takes seconds, more under load. */
const volumeTimeoutMs = 120_000;

/**
 * Deletes of records that thousands of others hang on, through the port, checked in the store itself: SQL
 * stores cascade by foreign keys, MongoDB by the adapter's ordered steps. Not in the zoned suites: no
 * instant matters here, and the volume is what is tested.
 */
describeEachStore('deletes at volume', (context) => {
  const users = () => context.store.users;
  const posts = () => context.store.posts;
  const pair = (left: string, right: string) => `${left}>${right}`;
  const countOf = async (id: string) => (await posts().findById(id))!.favoritesCount;

  /** Creates `count` users in one createMany and answers their ids, read back page by page. */
  async function manyUsers(count: number): Promise<string[]> {
    const before = new Set(await allUserIds(context.store));
    await users().createMany(Array.from({ length: count }, () => aUser()));
    const created = (await allUserIds(context.store)).filter((id) => !before.has(id));
    expect(created).toHaveLength(count);
    return created;
  }

  it('when a post with 5,000 favorites and 5,000 comments is deleted, then no favorite, comment or tag link of it is left, and another post keeps its own', async () => {
    const author = await users().create(aUser());
    const fans = await manyUsers(5_000);
    const gone = await posts().create(aPost(author.id, { tags: ['shared', 'only-gone'] }));
    const kept = await posts().create(aPost(author.id, { tags: ['shared'] }));
    await seedFavorites(context.store, fans.map((fan): [string, string] => [fan, gone.id]));
    await seedComments(context.store, fans.map((fan) => ({ postId: gone.id, authorId: fan })));
    const keptFans = fans.slice(0, 10);
    await seedFavorites(context.store, keptFans.map((fan): [string, string] => [fan, kept.id]));
    await seedComments(context.store, keptFans.map((fan) => ({ postId: kept.id, authorId: fan })));
    expect(await countOf(gone.id)).toBe(5_000);
    expect(await storedFavorites(context.store)).toHaveLength(5_010);
    expect(await storedComments(context.store)).toHaveLength(5_010);

    await posts().delete(gone.id);

    const keptPairs = keptFans.map((fan) => pair(fan, kept.id)).sort();
    expect(await posts().findById(gone.id)).toBeNull();
    expect(await storedFavorites(context.store)).toEqual(keptPairs);
    expect(await storedComments(context.store)).toEqual(keptPairs);
    expect(await storedTagLinks(context.store)).toEqual([pair(kept.id, 'shared')]);
    expect((await context.store.tags.find({ limit: 10 })).items).toEqual([{ name: 'shared', postCount: 1 }]);
    expect(await countOf(kept.id)).toBe(10);
  }, volumeTimeoutMs);

  it("when a user who follows 1,000 users and is followed by them, with favorited and commented posts, favorites and comments elsewhere, is deleted, then nothing of theirs is left and the counts of the posts they favorited go down", async () => {
    const gone = await users().create(aUser());
    const others = await manyUsers(1_000);
    await seedFollows(context.store, others.flatMap((other): [string, string][] => [[gone.id, other], [other, gone.id]]));
    await context.store.follows.follow(others[0], others[1]);
    expect(await storedFollows(context.store)).toHaveLength(2_001);

    // Their posts, each favorited and commented on by 100 others.
    const theirs: string[] = [];
    for (let i = 0; i < 3; i += 1) theirs.push((await posts().create(aPost(gone.id, { tags: ['theirs'] }))).id);
    const readers = others.slice(0, 100);
    await seedFavorites(context.store, theirs.flatMap((post) => readers.map((reader): [string, string] => [reader, post])));
    await seedComments(context.store, theirs.flatMap((postId) => readers.map((authorId) => ({ postId, authorId }))));
    // Others' posts, each favorited and commented on by them and by one who stays.
    const elsewhere: string[] = [];
    for (const author of others.slice(0, 50)) elsewhere.push((await posts().create(aPost(author, { tags: ['elsewhere'] }))).id);
    const stays = others[999];
    await seedFavorites(context.store, elsewhere.flatMap((post): [string, string][] => [[gone.id, post], [stays, post]]));
    await seedComments(context.store, elsewhere.flatMap((postId) => [{ postId, authorId: gone.id }, { postId, authorId: stays }]));
    for (const post of elsewhere) expect(await countOf(post)).toBe(2);

    await users().delete(gone.id);

    expect(await users().findById(gone.id)).toBeNull();
    for (const post of theirs) expect(await posts().findById(post)).toBeNull();
    expect(await storedFollows(context.store)).toEqual([pair(others[0], others[1])]);
    const staying = elsewhere.map((post) => pair(stays, post)).sort();
    expect(await storedFavorites(context.store)).toEqual(staying);
    expect(await storedComments(context.store)).toEqual(staying);
    expect(await storedTagLinks(context.store)).toEqual(elsewhere.map((post) => pair(post, 'elsewhere')).sort());
    const listed = await posts().find({ sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: 100 });
    expect(listed.items.map(({ id }) => id)).toEqual(elsewhere);
    expect(listed.items.map(({ favoritesCount }) => favoritesCount)).toEqual(elsewhere.map(() => 1));
  }, volumeTimeoutMs);
});

/** Every user's id, read through the port a page at a time. */
async function allUserIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let page = await store.users.find({ limit: 1_000 }); ; page = await store.users.find({ limit: 1_000, afterId: page.items.at(-1)!.id })) {
    ids.push(...page.items.map(({ id }) => id));
    if (!page.hasMore) return ids;
  }
}
