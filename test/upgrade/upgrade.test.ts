import { MongoClient, ObjectId } from 'mongodb';
import { databaseConfig } from '../../src/config';
import { openStore } from '../../src/stores/open-store';
import { createDataSource } from '../../src/stores/typeorm/data-source';
import { migrations } from '../../src/stores/typeorm/migrations/index';
import { type StoreName, type TestDatabase, createTestDatabase, enabledStores } from '../support/stores';

/** The last migration before records had versions. */
const beforeVersions = migrations.findIndex((migration) => migration.name.startsWith('AddVersions'));

describe.each(enabledStores())('%s: upgrading a database written before versions', (name: StoreName) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(name);
  });
  afterEach(async () => {
    await database.drop();
  });

  it('when the service opens a database whose users and posts have no version, then they are at version 1, searchable, untagged, without bio, image or description, and nothing is lost', async () => {
    const { userId, postId } = name === 'mongodb' ? await seedMongo(database.url) : await seedSql(database.url);

    const store = await openStore(databaseConfig(database.url));
    try {
      const user = await store.users.findById(userId);
      const post = await store.posts.findById(postId);
      expect(user).toMatchObject({ username: 'pioneer', bio: '', image: null, version: 1 });
      expect((await store.users.find({ limit: 5 })).items).toEqual([user]);
      expect(post).toMatchObject({ authorId: userId, title: 'Written before versions', description: '', tags: [], version: 1 });
      expect(post?.publicationDate.toISOString()).toBe('1843-09-01T00:00:00.000Z');
      // Search keys were made for posts already stored.
      const found = async (q: string) => (await store.posts.find({ sort: { field: 'title', direction: 'asc' }, filter: { q }, limit: 5 })).items;
      expect(await found('BEFORE VERSIONS')).toEqual([post]);
      expect(await found('STRASSE')).toEqual([post]);
      expect(await store.posts.update(postId, { title: 'Changed', description: 'Described after the fact' }, { expected: [1] })).toMatchObject({ description: 'Described after the fact', version: 2 });
      expect((await store.posts.findById(postId))?.description).toBe('Described after the fact');
      expect((await store.users.findCredentials('pioneer@example.com'))?.userId).toBe(userId);
      const described = await store.users.update(userId, { bio: 'Here before profiles', image: 'https://example.com/pioneer.png' });
      expect(described).toMatchObject({ displayName: 'Pioneer', bio: 'Here before profiles', image: 'https://example.com/pioneer.png', version: 2 });
      expect(await store.users.findById(userId)).toEqual(described);
    } finally {
      await store.close();
    }
  });
});

describe.each(enabledStores().filter((name) => name === 'mongodb'))('%s: sessions written before they kept a copy of their user', (name: StoreName) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(name);
  });
  afterEach(async () => {
    await database.drop();
  });

  it('when such a session is read, then its user is read apart; once the profile changes, the session carries it', async () => {
    const store = await openStore(databaseConfig(database.url));
    const client = await MongoClient.connect(database.url);
    try {
      const user = await store.users.create({ email: 'early@example.com', username: 'early', displayName: 'Early', passwordHash: 'x' });
      const session = { tokenHash: 'e'.repeat(64), userId: user.id, createdAt: new Date('2026-01-01T00:00:00.000Z'), expiresAt: new Date('2027-01-01T00:00:00.000Z') };
      // As an earlier version wrote it: no user field.
      await client.db().collection('sessions').insertOne({ _id: session.tokenHash as never, userId: new ObjectId(user.id), createdAt: session.createdAt, expiresAt: session.expiresAt });

      expect(await store.sessions.findWithUser(session.tokenHash)).toEqual({ session, user });
      const changed = await store.users.update(user.id, { displayName: 'Later' });
      expect(await client.db().collection('sessions').findOne({ _id: session.tokenHash as never })).toMatchObject({ user: { displayName: 'Later', version: 2 } });
      expect(await store.sessions.findWithUser(session.tokenHash)).toEqual({ session, user: changed });
    } finally {
      await client.close();
      await store.close();
    }
  });
});

describe.each(enabledStores().filter((name) => name === 'mongodb'))('%s: users and sessions written before profiles', (name: StoreName) => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(name);
  });
  afterEach(async () => {
    await database.drop();
  });

  it('when a user and their session copy have no bio or image, then the session and every read answer an empty bio and no image; a change copies both', async () => {
    const store = await openStore(databaseConfig(database.url));
    const client = await MongoClient.connect(database.url);
    try {
      const user = await store.users.create({ email: 'early@example.com', username: 'early', displayName: 'Early', passwordHash: 'x' });
      const session = { tokenHash: 'p'.repeat(64), userId: user.id, createdAt: new Date('2026-01-01T00:00:00.000Z'), expiresAt: new Date('2027-01-01T00:00:00.000Z') };
      await store.sessions.create(session);
      // As the version before profiles left them: neither field on the user nor on the session's copy.
      const db = client.db();
      await db.collection('users').updateOne({ _id: new ObjectId(user.id) }, { $unset: { bio: '', image: '' } });
      await db.collection('sessions').updateOne({ _id: session.tokenHash as never }, { $unset: { 'user.bio': '', 'user.image': '' } });
      expect(await db.collection('users').findOne({ _id: new ObjectId(user.id) })).not.toHaveProperty('bio');
      expect((await db.collection('sessions').findOne({ _id: session.tokenHash as never }))?.user).not.toHaveProperty('image');

      expect(await store.sessions.findWithUser(session.tokenHash)).toEqual({ session, user: { ...user, bio: '', image: null } });
      expect(await store.users.findById(user.id)).toEqual({ ...user, bio: '', image: null });

      const renamed = await store.users.update(user.id, { displayName: 'Later' });
      expect(renamed).toMatchObject({ bio: '', image: null, version: 2 });
      expect((await db.collection('sessions').findOne({ _id: session.tokenHash as never }))?.user).toMatchObject({ displayName: 'Later', bio: '', image: null });
      const described = await store.users.update(user.id, { bio: 'Now described', image: 'https://example.com/early.png' });
      expect(await store.sessions.findWithUser(session.tokenHash)).toEqual({ session, user: described });
    } finally {
      await client.close();
      await store.close();
    }
  });
});

/** A database at the migration before versions, with one user and one post in it. */
async function seedSql(url: string): Promise<{ userId: string; postId: string }> {
  const dataSource = createDataSource(databaseConfig(url));
  dataSource.setOptions({ migrations: migrations.slice(0, beforeVersions) });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    // A literal time in UTC: PostgreSQL's timestamptz reads one without a zone in the session's zone.
    const utc = (time: string) => (dataSource.options.type === 'postgres' ? `${time}+00` : time);
    const insert = async (table: string, row: Record<string, unknown>) => {
      const columns = Object.keys(row);
      const marks = columns.map((_, i) => (dataSource.options.type === 'postgres' ? `$${i + 1}` : '?'));
      await dataSource.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${marks.join(', ')})`, Object.values(row));
      return (await dataSource.query(`SELECT MAX(id) AS id FROM ${table}`))[0].id as number;
    };
    const userId = await insert('users', {
      email: 'pioneer@example.com',
      email_key: 'pioneer@example.com',
      username: 'pioneer',
      username_key: 'pioneer',
      display_name: 'Pioneer',
      password_hash: '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA',
      created_at: utc('2025-01-01 00:00:00.000'),
      updated_at: utc('2025-01-01 00:00:00.000'),
    });
    const postId = await insert('posts', {
      author_id: userId,
      title: 'Written before versions',
      content: 'Old Straße',
      publication_date: utc('1843-09-01 00:00:00.000'),
      created_at: utc('2025-01-01 00:00:00.000'),
      updated_at: utc('2025-01-01 00:00:00.000'),
    });
    return { userId: String(userId), postId: String(postId) };
  } finally {
    await dataSource.destroy();
  }
}

async function seedMongo(url: string): Promise<{ userId: string; postId: string }> {
  const client = await MongoClient.connect(url);
  try {
    const db = client.db();
    const at = new Date('2025-01-01T00:00:00.000Z');
    const userId = new ObjectId();
    const postId = new ObjectId();
    await db.collection('users').insertOne({
      _id: userId,
      email: 'pioneer@example.com',
      emailKey: 'pioneer@example.com',
      username: 'pioneer',
      usernameKey: 'pioneer',
      displayName: 'Pioneer',
      passwordHash: '$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA',
      createdAt: at,
      updatedAt: at,
    });
    await db.collection('posts').insertOne({
      _id: postId,
      authorId: userId,
      title: 'Written before versions',
      content: 'Old Straße',
      publicationDate: new Date('1843-09-01T00:00:00.000Z'),
      createdAt: at,
      updatedAt: at,
    });
    return { userId: userId.toHexString(), postId: postId.toHexString() };
  } finally {
    await client.close();
  }
}
