import type { Db } from 'mongodb';
import { foldCase } from '../../domain/search';
import { collections } from './collections';
import { isDuplicateKey } from './mongo-errors';
import { commentNumbers, numberUnnumbered, postSlugNumbers } from './sequences';

interface Migration {
  id: string;
  /** Must be safe to run twice: two instances starting at once may both run it. */
  up(db: Db): Promise<void>;
}

/** Changes to documents already stored, in order; the document counterpart of the SQL migrations. */
const migrations: Migration[] = [
  {
    id: '2025-11-27-add-versions',
    async up(db) {
      for (const name of ['users', 'posts']) {
        await db.collection(name).updateMany({ version: { $exists: false } }, { $set: { version: 1 } });
      }
    },
  },
  {
    id: '2025-11-30-add-tags-and-search-keys',
    async up(db) {
      const posts = db.collection('posts');
      // A batch at a time, so a large collection is never held in memory; each batch leaves the filter.
      for (;;) {
        const batch = await posts.find({ titleKey: { $exists: false } }, { projection: { title: 1, content: 1 } }).limit(500).toArray();
        if (batch.length === 0) return;
        await posts.bulkWrite(
          batch.map(({ _id, title, content }) => ({
            updateOne: {
              filter: { _id },
              // Posts from before tags have none; every post written since has its keys already.
              update: { $set: { titleKey: foldCase(String(title)), contentKey: foldCase(String(content)), tags: [] } },
            },
          })),
        );
      }
    },
  },
  {
    id: '2026-12-06-add-post-slug-numbers',
    up: (db) => numberUnnumbered(db.collection('posts'), 'slugNumber', postSlugNumbers(collections(db))),
  },
  {
    id: '2026-12-06-add-comment-numbers',
    // Oldest first, so that numbers follow the order comments were written in.
    up: (db) => numberUnnumbered(db.collection('comments'), 'number', commentNumbers(collections(db))),
  },
];

/** Applies each migration not yet recorded in the `migrations` collection, and records it. */
/** The ids of the migrations `applyMigrations` would apply; nothing is changed. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const applied = db.collection<{ _id: string }>('migrations');
  const done = new Set((await applied.find({}, { projection: { _id: 1 } }).toArray()).map(({ _id }) => _id));
  return migrations.map(({ id }) => id).filter((id) => !done.has(id));
}

export async function applyMigrations(db: Db): Promise<void> {
  const applied = db.collection<{ _id: string; appliedAt: Date }>('migrations');
  for (const migration of migrations) {
    if ((await applied.findOne({ _id: migration.id })) !== null) continue;
    await migration.up(db);
    try {
      await applied.insertOne({ _id: migration.id, appliedAt: new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another instance recorded it first
    }
  }
}
