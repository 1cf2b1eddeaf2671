import { repairStore } from '../../tools/repair/repair';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser } from '../support/factories';
import { storedComments, storedFavorites, storedFollows } from '../support/stored-records';

/**
 * What a crash between MongoDB's steps leaves, and how repair mends it, is shown by cutting the connection at
 * each step in test/outage/cut-between-steps.test.ts. Here: a store whose writes all finished is left as it is.
 */
describeEachStore('npm run repair', (context) => {
  const lines: string[] = [];
  const repair = () => repairStore(context.database.url, (line) => lines.push(line));

  beforeEach(() => {
    lines.length = 0;
  });

  it('when every write and delete finished, then repair removes nothing and corrects no count, says what it checked (SQL: why there is nothing to repair), and run again the same', async () => {
    const { store } = context;
    const [ada, bob, gone] = await Promise.all([store.users.create(aUser()), store.users.create(aUser()), store.users.create(aUser())]);
    const [one, two, removed] = [await store.posts.create(aPost(bob.id)), await store.posts.create(aPost(bob.id)), await store.posts.create(aPost(ada.id))];
    for (const [user, post] of [[ada, one], [bob, one], [gone, one], [ada, two], [bob, removed]] as const) await store.favorites.favorite(user.id, post.id);
    await store.favorites.unfavorite(ada.id, two.id);
    await store.follows.follow(ada.id, bob.id);
    await store.follows.follow(gone.id, bob.id);
    await store.comments.create({ postId: one.id, authorId: ada.id, content: 'Kept' });
    await store.comments.create({ postId: one.id, authorId: gone.id, content: 'Goes with its author' });
    await store.comments.create({ postId: removed.id, authorId: bob.id, content: 'Goes with its post' });
    await store.users.delete(gone.id);
    await store.posts.delete(removed.id);
    const held = { favorites: await storedFavorites(store), follows: await storedFollows(store), comments: await storedComments(store) };
    expect(held).toEqual({ favorites: [`${ada.id}>${one.id}`, `${bob.id}>${one.id}`].sort(), follows: [`${ada.id}>${bob.id}`], comments: [`${ada.id}>${one.id}`] });

    const unchanged = context.name === 'mongodb' ? { postsChecked: 2 } : {};
    for (let run = 0; run < 2; run += 1) {
      lines.length = 0;
      expect(await repair()).toEqual({ orphanFavorites: 0, orphanFollows: 0, orphanComments: 0, postsChecked: 0, countsFixed: 0, ...unchanged });
      expect(lines).toEqual(
        context.name === 'mongodb'
          ? [
              'favorites: 2 checked, 0 of a user or post that is gone removed',
              'follows: 1 checked, 0 of a user or post that is gone removed',
              'comments: 1 checked, 0 of a user or post that is gone removed',
              'posts: 2 recounted, 0 favoritesCount corrected',
            ]
          : [`${context.name}: foreign keys with ON DELETE CASCADE keep favorites, follows and comments with their users and posts, and favoritesCount is counted on every read: nothing to repair`],
      );
      expect({ favorites: await storedFavorites(store), follows: await storedFollows(store), comments: await storedComments(store) }).toEqual(held);
      expect([(await store.posts.findById(one.id))!.favoritesCount, (await store.posts.findById(two.id))!.favoritesCount]).toEqual([2, 0]);
    }
  });
});
