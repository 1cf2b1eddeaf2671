import { ObjectId } from 'mongodb';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { repairStore } from '../../tools/repair/repair';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser } from '../support/factories';
import { storedFavorites, storedFollows } from '../support/stored-records';

describeEachStore('npm run repair', (context) => {
  const lines: string[] = [];
  const repair = () => repairStore(context.database.url, (line) => lines.push(line));
  const countOf = async (id: string) => (await context.store.posts.findById(id))!.favoritesCount;

  beforeEach(() => {
    lines.length = 0;
  });

  it('when a crash between steps left favorites uncounted or orphaned, then reads never show a negative count, repair restores every count and removes the orphans (SQL: nothing to repair), and run again it changes nothing', async () => {
    const { store } = context;
    const [ada, bob, gone] = await Promise.all([store.users.create(aUser()), store.users.create(aUser()), store.users.create(aUser())]);
    const [one, two] = [await store.posts.create(aPost(bob.id)), await store.posts.create(aPost(bob.id))];
    await store.favorites.favorite(bob.id, one.id);
    await store.follows.follow(ada.id, bob.id);
    await store.comments.create({ postId: one.id, authorId: ada.id, content: 'Kept' });

    if (!(store instanceof MongoStore)) {
      // No step to fail between: one statement, foreign keys and a counted count.
      expect(await repair()).toEqual({ orphanFavorites: 0, orphanFollows: 0, orphanComments: 0, postsChecked: 0, countsFixed: 0 });
      expect(lines).toEqual([`${context.name}: foreign keys with ON DELETE CASCADE keep favorites, follows and comments with their users and posts, and favoritesCount is counted on every read: nothing to repair`]);
      expect(await countOf(one.id)).toBe(1);
      expect(await repair()).toEqual({ orphanFavorites: 0, orphanFollows: 0, orphanComments: 0, postsChecked: 0, countsFixed: 0 });
      return;
    }

    const { db } = store;
    const id = (hex: string) => new ObjectId(hex);
    /** A collection written as the adapter would, behind its back. */
    const raw = (name: string) => db.collection<{ _id: object; [field: string]: unknown }>(name);
    // The insert of ada's favorite of `two` done, the $inc not (the connection cut between them).
    await raw('favorites').insertOne({ _id: { user: id(ada.id), post: id(two.id) }, createdAt: new Date() });
    expect(await countOf(two.id)).toBe(0);
    expect((await store.favorites.favoritedAmong(ada.id, [two.id])).has(two.id)).toBe(true);
    // Ada then unfavorites it: the delete removed a document, so -1, under a count that never had its +1.
    await store.favorites.unfavorite(ada.id, two.id);
    expect(await db.collection('posts').findOne({ _id: id(two.id) })).toMatchObject({ favoritesCount: -1 });
    expect(await countOf(two.id)).toBe(0);
    const page = await store.posts.find({ sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: 10 });
    expect(page.items.map(({ favoritesCount }) => favoritesCount)).toEqual([1, 0]);
    // Ada favorites it again, and a crash loses that $inc too: the store holds one favorite, the counter says -1.
    await raw('favorites').insertOne({ _id: { user: id(ada.id), post: id(two.id) }, createdAt: new Date() });
    expect(await countOf(two.id)).toBe(0);

    // A user's delete cut short after the user went: their favorite, follow and comment are left behind.
    await store.users.delete(gone.id);
    await raw('favorites').insertOne({ _id: { user: id(gone.id), post: id(one.id) }, createdAt: new Date() });
    await db.collection('posts').updateOne({ _id: id(one.id) }, { $inc: { favoritesCount: 1 } });
    await raw('follows').insertOne({ _id: { follower: id(gone.id), followee: id(bob.id) }, createdAt: new Date() });
    await raw('comments').insertOne({ _id: new ObjectId(), postId: id(one.id), postAuthorId: id(bob.id), authorId: id(gone.id), content: 'Left', createdAt: new Date(), updatedAt: new Date() });
    // A post's delete cut short after the post went: its favorite is left behind.
    const removed = await store.posts.create(aPost(bob.id));
    await db.collection('posts').deleteOne({ _id: id(removed.id) });
    await raw('favorites').insertOne({ _id: { user: id(ada.id), post: id(removed.id) }, createdAt: new Date() });

    expect(await repair()).toEqual({ orphanFavorites: 2, orphanFollows: 1, orphanComments: 1, postsChecked: 2, countsFixed: 2 });
    expect(lines).toEqual(expect.arrayContaining(['favorites: 4 checked, 2 of a user or post that is gone removed', 'posts: 2 recounted, 2 favoritesCount corrected']));
    expect(await storedFavorites(store)).toEqual([`${ada.id}>${two.id}`, `${bob.id}>${one.id}`].sort());
    expect(await storedFollows(store)).toEqual([`${ada.id}>${bob.id}`]);
    expect((await store.comments.find({ postId: one.id, limit: 10 }))!.items.map(({ content }) => content)).toEqual(['Kept']);
    expect([await countOf(one.id), await countOf(two.id)]).toEqual([1, 1]);
    expect(await db.collection('posts').findOne({ _id: id(two.id) })).toMatchObject({ favoritesCount: 1 });

    expect(await repair()).toEqual({ orphanFavorites: 0, orphanFollows: 0, orphanComments: 0, postsChecked: 2, countsFixed: 0 });
  });
});
