import type { CommandStartedEvent } from 'mongodb';
import { databaseConfig, sqlitePath } from '../../src/config';
import { NotFoundError, StoreUnavailableError } from '../../src/domain/errors';
import type { Store } from '../../src/domain/repositories';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { openStore } from '../../src/stores/open-store';
import { type RepairCounts, repairStore } from '../../tools/repair/repair';
import { aPost, aUser } from '../support/factories';
import { storedComments, storedFavorites, storedFavoritesCount, storedFollows, storedTagLinks } from '../support/stored-records';
import { type StoreName, type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';
import { type Direction, type TcpProxy, startTcpProxy } from '../support/tcp-proxy';

/** DATABASE_CONNECT_TIMEOUT_MS of the store under test: it bounds every wait of a cut call. */
const connectTimeoutMs = 2_000;
/** A call still unanswered after this has hung: it fails the test rather than stall it. */
const hungAfterMs = 20_000;

/** better-sqlite3 ships no types; this is the part used here. */
const Database = require('better-sqlite3') as new (file: string) => { exec(sql: string): void; close(): void };

const nothingRepaired: RepairCounts = { orphanFavorites: 0, orphanFollows: 0, orphanComments: 0, postsChecked: 0, countsFixed: 0 };

/**
 * What a test works with: the store as the service opens it, reached through a TCP proxy the test cuts (on
 * SQLite, which has no connection, the file itself), and the same database read directly, never cut.
 */
interface World {
  name: StoreName;
  database: TestDatabase;
  /** Opened by openStore, so a driver's error reaches the caller as the service's own. */
  store: Store;
  direct: Store;
  /** Absent on SQLite. */
  proxy?: TcpProxy;
  close(): Promise<void>;
}

async function openWorld(name: StoreName): Promise<World> {
  const database = await createTestDatabase(name);
  const direct = await openStore(databaseConfig(database.url, connectTimeoutMs));
  if (name === 'sqlite') {
    const store = await openStore(databaseConfig(database.url, connectTimeoutMs));
    return { name, database, store, direct, close: () => closeAll(database, [store, direct]) };
  }
  const server = new URL(database.url);
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) });
  const url = new URL(database.url);
  url.port = String(proxy.port);
  // Command monitoring tells the test which command the driver is about to send.
  if (name === 'mongodb') url.searchParams.set('monitorCommands', 'true');
  const store = await openStore(databaseConfig(url.toString(), connectTimeoutMs));
  return { name, database, store, direct, proxy, close: () => closeAll(database, [store, direct], proxy) };
}

async function closeAll(database: TestDatabase, stores: Store[], proxy?: TcpProxy): Promise<void> {
  proxy?.restore();
  await Promise.all(stores.map((store) => store.close()));
  await proxy?.close();
  await database.drop();
}

/**
 * Cuts the proxy at the moment the MongoDB driver starts `command` on `collection` for the first time from
 * now: the listener runs before the command's bytes are written, and the proxy's side of every connection
 * is gone by then, so the command never reaches the server, while every earlier one has been answered.
 */
function cutWhenStarting(world: World, command: string, collection: string): { fired(): boolean } {
  const client = (world.store as MongoStore).db.client;
  let fired = false;
  const listener = (event: CommandStartedEvent) => {
    if (fired || event.commandName !== command || event.command[command] !== collection) return;
    fired = true;
    world.proxy!.cut();
    client.off('commandStarted', listener);
  };
  client.on('commandStarted', listener);
  return { fired: () => fired };
}

/** The error `call` failed with; fails the test if it succeeded, or hung. */
async function failureOf(call: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`the cut call was still unanswered after ${hungAfterMs} ms`)), hungAfterMs);
  });
  try {
    await Promise.race([call, hung]);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('the cut call')) throw error;
    return error;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('the cut call succeeded');
}

describe.each(enabledStores())('%s: a write cut between its steps', (name) => {
  let world: World;
  /** What the last repair said, line by line. */
  const said: string[] = [];
  const repair = () => {
    said.length = 0;
    return repairStore(world.database.url, (line) => said.push(line));
  };
  const newUsers = (count: number) => Promise.all(Array.from({ length: count }, () => world.store.users.create(aUser())));
  const countOf = async (store: Store, id: string) => (await store.posts.findById(id))!.favoritesCount;
  const pair = (left: { id: string }, right: { id: string }) => `${left.id}>${right.id}`;
  const listedPosts = async (store: Store) => (await store.posts.find({ sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: 10 })).items;
  const favoriteIds = async (store: Store, userId: string) => (await store.favorites.favorites({ userId, limit: 10 })).items.map(({ post }) => post.id);

  beforeEach(async () => {
    world = await openWorld(name);
  });
  afterEach(() => world?.close());

  if (name === 'mongodb') {
    describe('MongoDB: ordered steps without a transaction, the connection cut between two of them', () => {
      it("when the cut falls after a favorite's insert and before its count, then the call is store-unavailable, the favorite is live with the count one short, sent again once restored it still is, repair counts it, and run again it changes nothing", async () => {
        const { store, direct } = world;
        const [ada, bob] = await newUsers(2);
        const post = await store.posts.create(aPost(bob.id));
        await store.favorites.favorite(bob.id, post.id);

        const cut = cutWhenStarting(world, 'update', 'posts');
        expect(await failureOf(store.favorites.favorite(ada.id, post.id))).toBeInstanceOf(StoreUnavailableError);
        expect(cut.fired()).toBe(true);

        // The insert landed, the $inc did not.
        expect(await storedFavorites(direct)).toEqual([pair(ada, post), pair(bob, post)].sort());
        expect(await storedFavoritesCount(direct as MongoStore, post.id)).toBe(1);
        // A favorite the user asked for, so live everywhere; only its count lags.
        expect(await countOf(direct, post.id)).toBe(1);
        expect(await direct.favorites.favoritedAmong(ada.id, [post.id])).toEqual(new Set([post.id]));
        expect(await favoriteIds(direct, ada.id)).toEqual([post.id]);

        // The client sends it again, as a 503 invites: the insert is a duplicate, so nothing more is counted.
        world.proxy!.restore();
        await store.favorites.favorite(ada.id, post.id);
        expect(await storedFavorites(direct)).toEqual([pair(ada, post), pair(bob, post)].sort());
        expect(await storedFavoritesCount(direct as MongoStore, post.id)).toBe(1);

        expect(await repair()).toEqual({ ...nothingRepaired, postsChecked: 1, countsFixed: 1 });
        expect(await storedFavoritesCount(direct as MongoStore, post.id)).toBe(2);
        expect(await countOf(direct, post.id)).toBe(2);
        expect(await repair()).toEqual({ ...nothingRepaired, postsChecked: 1 });

        await store.favorites.unfavorite(ada.id, post.id);
        expect(await countOf(store, post.id)).toBe(1);
        expect(await storedFavorites(direct)).toEqual([pair(bob, post)]);
      });

      it('when a favorite whose count was cut off is unfavorited, then the stored count is below zero, every read shows 0, and repair sets it to 0', async () => {
        const { store, direct } = world;
        const [ada, bob] = await newUsers(2);
        const post = await store.posts.create(aPost(bob.id));

        cutWhenStarting(world, 'update', 'posts');
        expect(await failureOf(store.favorites.favorite(ada.id, post.id))).toBeInstanceOf(StoreUnavailableError);
        world.proxy!.restore();
        // The delete removes a favorite, so -1, under a count that never had its +1.
        await store.favorites.unfavorite(ada.id, post.id);

        expect(await storedFavoritesCount(direct as MongoStore, post.id)).toBe(-1);
        expect(await storedFavorites(direct)).toEqual([]);
        expect(await countOf(store, post.id)).toBe(0);
        expect((await listedPosts(store)).map(({ favoritesCount }) => favoritesCount)).toEqual([0]);
        await store.favorites.favorite(bob.id, post.id);
        expect(await favoriteIds(store, bob.id)).toEqual([post.id]);
        expect((await store.favorites.favorites({ userId: bob.id, limit: 10 })).items[0].post.favoritesCount).toBe(0);

        expect(await repair()).toEqual({ ...nothingRepaired, postsChecked: 1, countsFixed: 1 });
        expect(await storedFavoritesCount(direct as MongoStore, post.id)).toBe(1);
        expect(await repair()).toEqual({ ...nothingRepaired, postsChecked: 1 });
      });

      it("when the cut falls after an unfavorite's delete and before its count, then the call is store-unavailable, the favorite is gone with the count one over, sent again once restored it still is, repair lowers it, and run again it changes nothing", async () => {
        const { store, direct } = world;
        const [ada, bob] = await newUsers(2);
        const post = await store.posts.create(aPost(bob.id));
        await store.favorites.favorite(ada.id, post.id);
        await store.favorites.favorite(bob.id, post.id);

        const cut = cutWhenStarting(world, 'update', 'posts');
        expect(await failureOf(store.favorites.unfavorite(ada.id, post.id))).toBeInstanceOf(StoreUnavailableError);
        expect(cut.fired()).toBe(true);

        // The delete landed, the $inc did not.
        expect(await storedFavorites(direct)).toEqual([pair(bob, post)]);
        expect(await storedFavoritesCount(direct as MongoStore, post.id)).toBe(2);
        expect(await countOf(direct, post.id)).toBe(2);
        expect(await direct.favorites.favoritedAmong(ada.id, [post.id])).toEqual(new Set());
        expect(await favoriteIds(direct, ada.id)).toEqual([]);

        // Sent again: the delete finds nothing, so nothing more is uncounted.
        world.proxy!.restore();
        await store.favorites.unfavorite(ada.id, post.id);
        expect(await storedFavoritesCount(direct as MongoStore, post.id)).toBe(2);

        expect(await repair()).toEqual({ ...nothingRepaired, postsChecked: 1, countsFixed: 1 });
        expect(await countOf(direct, post.id)).toBe(1);
        expect(await repair()).toEqual({ ...nothingRepaired, postsChecked: 1 });

        await store.favorites.favorite(ada.id, post.id);
        expect(await countOf(store, post.id)).toBe(2);
      });

      it("when the cut falls after a post's delete and before its comments and favorites go, then the call is store-unavailable, no read shows the post or what was left of it, repair removes the orphans, run again it changes nothing, and restored the same store works", async () => {
        const { store, direct } = world;
        const [ada, bob, carl] = await newUsers(3);
        const [gone, kept] = [await store.posts.create(aPost(bob.id, { tags: ['gone'] })), await store.posts.create(aPost(bob.id, { tags: ['kept'] }))];
        for (const user of [ada, carl]) await store.favorites.favorite(user.id, gone.id);
        await store.favorites.favorite(ada.id, kept.id);
        const comment = await store.comments.create({ postId: gone.id, authorId: ada.id, content: 'On the gone post' });
        await store.comments.create({ postId: gone.id, authorId: carl.id, content: 'Also' });
        await store.comments.create({ postId: kept.id, authorId: carl.id, content: 'Kept' });

        const cut = cutWhenStarting(world, 'delete', 'comments');
        expect(await failureOf(store.posts.delete(gone.id))).toBeInstanceOf(StoreUnavailableError);
        expect(cut.fired()).toBe(true);

        // The post went; its comments and favorites stayed.
        expect(await direct.posts.findById(gone.id)).toBeNull();
        expect(await storedFavorites(direct)).toEqual([pair(ada, gone), pair(carl, gone), pair(ada, kept)].sort());
        expect(await storedComments(direct)).toEqual([pair(ada, gone), pair(carl, gone), pair(carl, kept)].sort());
        expect(await storedTagLinks(direct)).toEqual([`${kept.id}>kept`]);
        // No read answers them: each read of a comment checks its post, and lists read the posts.
        expect(await direct.comments.find({ postId: gone.id, limit: 10 })).toBeNull();
        expect(await direct.comments.findById(gone.id, comment.id)).toBeNull();
        expect((await listedPosts(direct)).map(({ id }) => id)).toEqual([kept.id]);
        expect(await favoriteIds(direct, ada.id)).toEqual([kept.id]);
        expect(await favoriteIds(direct, carl.id)).toEqual([]);
        expect(await direct.posts.count({ favoritedBy: carl.id })).toBe(0);
        expect((await direct.tags.find({ limit: 10 })).items.map(({ name: tag }) => tag)).toEqual(['kept']);

        expect(await repair()).toEqual({ ...nothingRepaired, orphanFavorites: 2, orphanComments: 2, postsChecked: 1 });
        expect(said).toEqual([
          'favorites: 3 checked, 2 of a user or post that is gone removed',
          'follows: none',
          'comments: 3 checked, 2 of a user or post that is gone removed',
          'posts: 1 recounted, 0 favoritesCount corrected',
        ]);
        expect(await storedFavorites(direct)).toEqual([pair(ada, kept)]);
        expect(await storedComments(direct)).toEqual([pair(carl, kept)]);
        expect(await countOf(direct, kept.id)).toBe(1);
        expect(await repair()).toEqual({ ...nothingRepaired, postsChecked: 1 });

        world.proxy!.restore();
        await expect(store.posts.delete(gone.id)).rejects.toEqual(new NotFoundError('post', gone.id));
        await store.favorites.favorite(bob.id, kept.id);
        expect(await countOf(store, kept.id)).toBe(2);
      });

      /** Where a user's delete is cut, and what it leaves of a user `gone` followed by ada and following bob (see the test). */
      const userCuts = [
        {
          at: ['delete', 'favorites'],
          when: "after the user and their posts went, before those posts' favorites",
          favoritesLeft: (gone: string, ada: string, theirs: string, kept: string) => [`${ada}>${theirs}`, `${gone}>${kept}`, `${ada}>${kept}`],
          orphanFavorites: 2,
        },
        {
          at: ['update', 'posts'],
          when: 'after their favorites went, before the counts of the posts they favorited went down',
          favoritesLeft: (_gone: string, ada: string, _theirs: string, kept: string) => [`${ada}>${kept}`],
          orphanFavorites: 0,
        },
      ] as const;

      it.each(userCuts)("when the cut falls during a user's delete $when, then the call is store-unavailable, no read shows the user or what was left of them, repair removes the orphans and lowers the counts, run again it changes nothing, and restored the same store works", async ({ at: [command, collection], favoritesLeft, orphanFavorites }) => {
        const { store, direct } = world;
        const [gone, ada, bob] = await newUsers(3);
        const theirs = await store.posts.create(aPost(gone.id));
        const kept = await store.posts.create(aPost(bob.id));
        await store.favorites.favorite(ada.id, theirs.id);
        await store.favorites.favorite(gone.id, kept.id);
        await store.favorites.favorite(ada.id, kept.id);
        await store.comments.create({ postId: theirs.id, authorId: ada.id, content: 'On their post' });
        await store.comments.create({ postId: kept.id, authorId: gone.id, content: 'Theirs, elsewhere' });
        await store.comments.create({ postId: kept.id, authorId: ada.id, content: 'Kept' });
        await store.follows.follow(gone.id, bob.id);
        await store.follows.follow(ada.id, gone.id);

        const cut = cutWhenStarting(world, command, collection);
        expect(await failureOf(store.users.delete(gone.id))).toBeInstanceOf(StoreUnavailableError);
        expect(cut.fired()).toBe(true);

        expect(await direct.users.findById(gone.id)).toBeNull();
        expect(await direct.posts.findById(theirs.id)).toBeNull();
        expect(await storedFavorites(direct)).toEqual(favoritesLeft(gone.id, ada.id, theirs.id, kept.id).sort());
        expect(await storedComments(direct)).toEqual([pair(ada, theirs), pair(gone, kept), pair(ada, kept)].sort());
        expect(await storedFollows(direct)).toEqual([pair(gone, bob), pair(ada, gone)].sort());
        // The count still holds their favorite: one over until repaired, as the adapter says.
        expect(await storedFavoritesCount(direct as MongoStore, kept.id)).toBe(2);
        // No read answers what they left: comments and follow lists read the users, lists read the posts.
        expect((await direct.comments.find({ postId: kept.id, limit: 10 }))!.items.map(({ content }) => content)).toEqual(['Kept']);
        expect(await direct.follows.followers({ userId: bob.id, limit: 10 })).toEqual({ items: [], hasMore: false });
        expect(await direct.follows.following({ userId: ada.id, limit: 10 })).toEqual({ items: [], hasMore: false });
        expect(await favoriteIds(direct, ada.id)).toEqual([kept.id]);
        expect((await listedPosts(direct)).map(({ id }) => id)).toEqual([kept.id]);

        expect(await repair()).toEqual({ orphanFavorites, orphanFollows: 2, orphanComments: 2, postsChecked: 1, countsFixed: 1 });
        expect(await storedFavorites(direct)).toEqual([pair(ada, kept)]);
        expect(await storedComments(direct)).toEqual([pair(ada, kept)]);
        expect(await storedFollows(direct)).toEqual([]);
        expect(await countOf(direct, kept.id)).toBe(1);
        expect(await repair()).toEqual({ ...nothingRepaired, postsChecked: 1 });

        world.proxy!.restore();
        await expect(store.users.delete(gone.id)).rejects.toEqual(new NotFoundError('user', gone.id));
        await store.favorites.favorite(bob.id, kept.id);
        expect(await countOf(store, kept.id)).toBe(2);
      });
    });
  } else if (name === 'sqlite') {
    it('when another process holds the write lock as a favorite is written (SQLite runs in this process: one statement, no connection to cut between steps), then the call is store-unavailable, nothing is written, the count agrees, and released, the same store works', async () => {
      const { store, direct } = world;
      const [ada, bob] = await newUsers(2);
      const post = await store.posts.create(aPost(bob.id));
      await store.favorites.favorite(bob.id, post.id);

      const locker = new Database(sqlitePath(world.database.url));
      try {
        locker.exec('BEGIN EXCLUSIVE');
        expect(await failureOf(store.favorites.favorite(ada.id, post.id))).toBeInstanceOf(StoreUnavailableError);
      } finally {
        locker.exec('ROLLBACK');
        locker.close();
      }
      expect(await storedFavorites(direct)).toEqual([pair(bob, post)]);
      expect(await countOf(direct, post.id)).toBe(1);
      expect(await repair()).toEqual(nothingRepaired);

      await store.favorites.favorite(ada.id, post.id);
      expect(await countOf(store, post.id)).toBe(2);
    });
  } else {
    /** Whether the favorite's one statement ran when the cut met it going that way. */
    const directions: [Direction, string, boolean][] = [
      ['request', 'on its way to the server: it never ran', false],
      ['answer', 'on its way back: it ran and was committed, the caller never heard', true],
    ];

    it.each(directions)("when the connection is cut as a favorite's one statement goes out or comes back (%s: %s), then the call is store-unavailable and the favorite is all there or not at all, the count always agreeing, and restored the same store works", async (direction, _what, ran) => {
      const { store, direct } = world;
      const [ada, bob] = await newUsers(2);
      const post = await store.posts.create(aPost(bob.id));
      await store.favorites.favorite(bob.id, post.id);

      // One INSERT on a pooled connection, committed by itself: there is no step after it to cut before.
      world.proxy!.cutAtNext(direction);
      expect(await failureOf(store.favorites.favorite(ada.id, post.id))).toBeInstanceOf(StoreUnavailableError);

      const held = ran ? [pair(ada, post), pair(bob, post)].sort() : [pair(bob, post)];
      expect(await storedFavorites(direct)).toEqual(held);
      expect(await countOf(direct, post.id)).toBe(held.length);
      expect(await direct.favorites.favoritedAmong(ada.id, [post.id])).toEqual(new Set(ran ? [post.id] : []));
      expect(await repair()).toEqual(nothingRepaired);

      world.proxy!.restore();
      await store.favorites.favorite(ada.id, post.id);
      expect(await countOf(store, post.id)).toBe(2);
    });
  }
});
