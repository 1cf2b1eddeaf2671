import { postSlug } from '../../src/domain/post';
import { ObjectId } from 'mongodb';
import { databaseConfig } from '../../src/config';
import { suffixOfSlug } from '../../src/domain/slug';
import { collections } from '../../src/stores/mongo/collections';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { openStore } from '../../src/stores/open-store';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser } from '../support/factories';
import { type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';

describeEachStore('post slugs contract', (context) => {
  const posts = () => context.store.posts;
  const newAuthor = async () => (await context.store.users.create(aUser())).id;

  it('when a post is created, then its slug is its title\'s words and a suffix of its own, the same on every read, and finds it', async () => {
    const post = await posts().create(aPost(await newAuthor(), { title: 'Hello, World: Crème Brûlée!' }));
    expect(postSlug(post)).toMatch(/^hello-world-creme-brulee-[0-9a-z]+$/);
    expect(await posts().findById(post.id)).toEqual(post);
    expect(await posts().findBySlug(postSlug(post))).toEqual(post);
    const [listed] = (await posts().find({ sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: 5 })).items;
    expect(postSlug(listed)).toBe(postSlug(post));
  });

  it('when posts share a title, or have titles with no ASCII words, then each has a slug of its own that finds only it', async () => {
    const authorId = await newAuthor();
    const same = [await posts().create(aPost(authorId, { title: 'Same title' })), await posts().create(aPost(authorId, { title: 'Same title' }))];
    const wordless = [await posts().create(aPost(authorId, { title: 'Привет, мир' })), await posts().create(aPost(authorId, { title: '🎉' }))];
    for (const post of [...same, ...wordless]) expect(await posts().findBySlug(postSlug(post))).toEqual(post);
    expect(new Set([...same, ...wordless].map(postSlug)).size).toBe(4);
    expect(same.map((post) => postSlug(post).replace(/-[0-9a-z]+$/, ''))).toEqual(['same-title', 'same-title']);
    expect(wordless.map((post) => postSlug(post).replace(/-[0-9a-z]+$/, ''))).toEqual(['post', 'post']);
  });

  it('when the title changes, then the slug changes by its words only; the old slug finds nothing; a change of case or punctuation keeps it', async () => {
    const post = await posts().create(aPost(await newAuthor(), { title: 'First words' }));
    const retitled = await posts().update(post.id, { title: 'Other words entirely' });
    expect(postSlug(retitled)).toBe(`other-words-entirely-${suffixOfSlug(postSlug(post))}`);
    expect(await posts().findBySlug(postSlug(post))).toBeNull();
    expect(await posts().findBySlug(postSlug(retitled))).toEqual(retitled);
    const recased = await posts().update(post.id, { title: 'OTHER words, entirely!', content: 'Changed too' });
    expect(postSlug(recased)).toBe(postSlug(retitled));
    expect(await posts().findBySlug(postSlug(retitled))).toEqual(recased);
  });

  it('when a slug is unknown, malformed, another post\'s suffix under other words, or of a deleted post, then nothing is found', async () => {
    const authorId = await newAuthor();
    const post = await posts().create(aPost(authorId, { title: 'Kept' }));
    const gone = await posts().create(aPost(authorId, { title: 'Gone soon' }));
    await posts().delete(gone.id);
    const suffix = suffixOfSlug(postSlug(post));
    for (const slug of ['', '-', 'kept', `kept-${suffix}x`, `kept-0${suffix}`, `kept-${suffix.toUpperCase()}9`, `other-${suffix}`, `kept-${suffix}-`, 'kept-zzzzzzzzzzzz', postSlug(gone), `kept-${'f'.repeat(24)}`, `kept-${post.id}`]) {
      if (slug === postSlug(post)) continue;
      expect(await posts().findBySlug(slug)).toBeNull();
    }
    expect(await posts().findBySlug(postSlug(post))).toEqual(post);
  });

  it('when posts are created in bulk, then each has a slug of its own that finds it', async () => {
    const authorId = await newAuthor();
    await posts().createMany(Array.from({ length: 120 }, (_, i) => aPost(authorId, { title: i % 2 === 0 ? 'Bulk' : `Bulk ${i}` })));
    const all = (await posts().find({ sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: 100 })).items;
    const more = (await posts().find({ sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: 100, skip: 100 })).items;
    const created = [...all, ...more];
    expect(new Set(created.map(postSlug)).size).toBe(120);
    for (const post of created.slice(0, 10)) expect(await posts().findBySlug(postSlug(post))).toEqual(post);
  });
});

describe.each(enabledStores().filter((name) => name === 'mongodb'))('%s: the sequences of post slug numbers and comment numbers', (name) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(name);
  });
  afterEach(async () => {
    await database.drop();
  });

  it('when two processes were handed the same block of numbers, then the unique index refuses the second insert and it takes new numbers: no slug repeats', async () => {
    const [first, second] = [await openStore(databaseConfig(database.url)), await openStore(databaseConfig(database.url))];
    try {
      const authorId = (await first.users.create(aUser())).id;
      const one = await first.posts.create(aPost(authorId, { title: 'One' }));
      // What an $inc that FerretDB did not isolate leaves: the counter back where the first process found it.
      const { counters, posts } = collections((first as MongoStore).db);
      await counters.updateOne({ _id: 'posts' }, { $set: { value: 0 } });
      const two = await second.posts.create(aPost(authorId, { title: 'One' }));
      const many = Array.from({ length: 3 }, () => aPost(authorId, { title: 'Many' }));
      await counters.updateOne({ _id: 'posts' }, { $set: { value: 0 } });
      await first.posts.createMany(many);

      const stored = await posts.find({}).toArray();
      expect(stored).toHaveLength(5);
      expect(new Set(stored.map(({ slugNumber }) => slugNumber)).size).toBe(5);
      expect(suffixOfSlug(postSlug(one))).not.toBe(suffixOfSlug(postSlug(two)));
      for (const post of [one, two]) expect(await first.posts.findBySlug(postSlug(post))).toEqual(post);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('when posts were stored before slug numbers, then starting numbers them once, and until then a post without one has a slug by its _id that finds it', async () => {
    const store = (await openStore(databaseConfig(database.url))) as MongoStore;
    let restarted: MongoStore | undefined;
    try {
      const authorId = (await store.users.create(aUser())).id;
      const { posts } = collections(store.db);
      // Posts as a version without slug numbers wrote them, its migration not yet recorded as applied.
      const now = new Date();
      await posts.insertMany(
        ['Before one', 'Before two'].map((title) => ({
          _id: new ObjectId(), authorId: new ObjectId(authorId), title, content: 'x', publicationDate: now, createdAt: now, updatedAt: now,
          tags: [], titleKey: title.toLowerCase(), contentKey: 'x', version: 1,
        })),
      );
      await store.db.collection<{ _id: string }>('migrations').deleteOne({ _id: '2026-12-06-add-post-slug-numbers' });
      const oldest = { sort: { field: 'createdAt', direction: 'asc' }, filter: {}, limit: 5 } as const;
      const unnumbered = (await store.posts.find(oldest)).items;
      expect(unnumbered.map(postSlug)).toEqual([expect.stringMatching(/^before-one-[0-9a-f]{24}$/), expect.stringMatching(/^before-two-[0-9a-f]{24}$/)]);
      for (const post of unnumbered) expect(await store.posts.findBySlug(postSlug(post))).toEqual(post);

      restarted = (await openStore(databaseConfig(database.url))) as MongoStore;
      const numbered = (await restarted.posts.find(oldest)).items;
      expect(numbered.map(postSlug)).toEqual([expect.stringMatching(/^before-one-[0-9a-z]{1,11}$/), expect.stringMatching(/^before-two-[0-9a-z]{1,11}$/)]);
      for (const post of numbered) expect(await restarted.posts.findBySlug(postSlug(post))).toEqual(post);
      for (const post of unnumbered) expect(await restarted.posts.findBySlug(postSlug(post))).toBeNull();
      expect(new Set((await posts.find({}).toArray()).map(({ slugNumber }) => slugNumber)).size).toBe(2);
    } finally {
      await store.close();
      await restarted?.close();
    }
  });

  it('when two processes were handed the same block of comment numbers, then the unique index refuses the second insert and it takes a new number', async () => {
    const [first, second] = [(await openStore(databaseConfig(database.url))) as MongoStore, (await openStore(databaseConfig(database.url))) as MongoStore];
    try {
      const authorId = (await first.users.create(aUser())).id;
      const post = await first.posts.create(aPost(authorId));
      const one = await first.comments.create({ postId: post.id, authorId, content: 'One' });
      await collections(first.db).counters.updateOne({ _id: 'comments' }, { $set: { value: 0 } });
      const two = await second.comments.create({ postId: post.id, authorId, content: 'Two' });
      expect(two.number).not.toBe(one.number);
      for (const comment of [one, two]) expect(await first.comments.findByNumber(post.id, comment.number)).toMatchObject({ id: comment.id });
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('when comments were stored before numbers, then starting numbers them once, oldest first', async () => {
    const store = (await openStore(databaseConfig(database.url))) as MongoStore;
    let restarted: MongoStore | undefined;
    try {
      const authorId = (await store.users.create(aUser())).id;
      const post = await store.posts.create(aPost(authorId));
      const now = new Date();
      const ids = [new ObjectId(), new ObjectId()];
      const [author, postOid] = [new ObjectId(authorId), new ObjectId(post.id)];
      await collections(store.db).comments.insertMany(ids.map((_id, i) => ({ _id, postId: postOid, postAuthorId: author, authorId: author, content: `Before ${i}`, createdAt: now, updatedAt: now })));
      await store.db.collection<{ _id: string }>('migrations').deleteOne({ _id: '2026-12-06-add-comment-numbers' });
      expect((await store.comments.findById(post.id, ids[0].toHexString()))?.number).toBe(0);
      expect(await store.comments.findByNumber(post.id, 0)).toBeNull();

      restarted = (await openStore(databaseConfig(database.url))) as MongoStore;
      const [first, second] = [await restarted.comments.findById(post.id, ids[0].toHexString()), await restarted.comments.findById(post.id, ids[1].toHexString())];
      expect(first!.number).toBeGreaterThan(0);
      expect(second!.number).toBe(first!.number + 1);
      expect(await restarted.comments.findByNumber(post.id, second!.number)).toEqual(second);
    } finally {
      await store.close();
      await restarted?.close();
    }
  });
});
