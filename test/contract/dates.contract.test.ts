import type { PostQuery } from '../../src/domain/listing';
import { ObjectId } from 'mongodb';
import { databaseConfig } from '../../src/config';
import type { Store } from '../../src/domain/repositories';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { openStore } from '../../src/stores/open-store';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';
import { describeEachStore } from '../support/each-store';
import { aPost, aUser } from '../support/factories';
import { julyOffsets, newestFirst, zoneSensitiveInstants } from '../support/instants';

describe('time zone of the run', () => {
  it("when a project names a time zone, then the process's clock is really in it", () => {
    expect(Object.keys(julyOffsets)).toContain(process.env.TZ);
    expect(new Date('2024-07-01T00:00:00Z').getTimezoneOffset()).toBe(julyOffsets[process.env.TZ!]);
  });
});

describeEachStore('publication dates in any time zone', (context) => {
  const posts = () => context.store.posts;
  const all: PostQuery = { sort: { field: 'publicationDate', direction: 'desc' }, filter: {}, limit: 100 };

  it('when posts are created at instants a time zone could move, then each reads back to the millisecond and lists sort them by instant', async () => {
    const authorId = (await context.store.users.create(aUser())).id;
    const ids = new Map<string, string>();
    for (const iso of zoneSensitiveInstants) {
      const created = await posts().create(aPost(authorId, { publicationDate: new Date(iso) }));
      expect(created.publicationDate.toISOString()).toBe(iso);
      ids.set(iso, created.id);
    }

    for (const [iso, id] of ids) expect((await posts().findById(id))?.publicationDate.toISOString()).toBe(iso);
    const expected = newestFirst(zoneSensitiveInstants);
    expect((await posts().find(all)).items.map((post) => post.publicationDate.toISOString())).toEqual(expected);
    expect((await posts().find({ ...all, filter: { authorId } })).items.map((post) => post.publicationDate.toISOString())).toEqual(expected);
  });

  it('when a publication date is changed to such an instant, then it reads back to the millisecond', async () => {
    const post = await posts().create(aPost((await context.store.users.create(aUser())).id));
    for (const iso of zoneSensitiveInstants) {
      expect((await posts().update(post.id, { publicationDate: new Date(iso) })).publicationDate.toISOString()).toBe(iso);
      expect((await posts().findById(post.id))?.publicationDate.toISOString()).toBe(iso);
    }
  });

  it('when such an instant is stored, then the database itself holds that instant in UTC', async () => {
    const authorId = (await context.store.users.create(aUser())).id;
    for (const iso of zoneSensitiveInstants) {
      const { id } = await posts().create(aPost(authorId, { publicationDate: new Date(iso) }));
      expect(await storedPublicationDate(context.store, id)).toBe(iso);
    }
  });

  if (context.name === 'postgres') {
    it("when the database's default time zone is not UTC, then the store's sessions still run in UTC", async () => {
      const { pathname } = new URL(context.database.url);
      const store = context.store as TypeOrmStore;
      await store.dataSource.query(`ALTER DATABASE ${pathname.slice(1)} SET timezone TO 'Asia/Kathmandu'`);
      const reopened = (await openStore(databaseConfig(context.database.url))) as TypeOrmStore;
      try {
        const [fresh] = await reopened.dataSource.query(`SELECT current_setting('TimeZone') AS zone, now()::text AS now`);
        expect(fresh.zone).toBe('UTC');
        expect(fresh.now).toMatch(/\+00$/);
      } finally {
        await reopened.close();
      }
    });
  }
});

/** The stored publication date as the database itself renders it in UTC, not as the adapter reads it. */
async function storedPublicationDate(store: Store, id: string): Promise<string> {
  if (store instanceof MongoStore) {
    const document = await store.db.collection('posts').findOne({ _id: new ObjectId(id) });
    // BSON dates are UTC milliseconds: no zone to apply.
    return new Date(document!.publicationDate.getTime()).toISOString();
  }
  const { dataSource } = store as TypeOrmStore;
  const [row] = await dataSource.query(utcText[dataSource.options.type as keyof typeof utcText], [Number(id)]);
  return `${row.utc.slice(0, 23).replace(' ', 'T')}Z`;
}

const utcText = {
  'better-sqlite3': 'SELECT publication_date AS utc FROM posts WHERE id = ?',
  postgres: `SELECT to_char(publication_date AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS utc FROM posts WHERE id = $1`,
  mysql: `SELECT DATE_FORMAT(publication_date, '%Y-%m-%d %H:%i:%s.%f') AS utc FROM posts WHERE id = ?`,
  mariadb: `SELECT DATE_FORMAT(publication_date, '%Y-%m-%d %H:%i:%s.%f') AS utc FROM posts WHERE id = ?`,
};
