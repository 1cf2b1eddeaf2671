import { ObjectId } from 'mongodb';
import type { Store } from '../../src/domain/repositories';
import { MongoStore } from '../../src/stores/mongo/mongo-store';
import { TypeOrmStore } from '../../src/stores/typeorm/typeorm-store';

/**
 * Sets a record's stored updatedAt behind the service's back, as another
 * instance whose clock runs ahead (or behind) would have left it.
 */
export async function setStoredUpdatedAt(store: Store, kind: 'post' | 'user', id: string, updatedAt: Date): Promise<void> {
  if (store instanceof TypeOrmStore) {
    // Through the entity, so the instant is written in the driver's own datetime form.
    const { affected } = await store.dataSource
      .createQueryBuilder()
      .update(kind === 'post' ? 'Post' : 'User')
      .set({ updatedAt })
      .where('id = :id', { id: Number(id) })
      .execute();
    expect(affected).toBe(1);
  } else if (store instanceof MongoStore) {
    const { matchedCount } = await store.db.collection(kind === 'post' ? 'posts' : 'users').updateOne({ _id: new ObjectId(id) }, { $set: { updatedAt } });
    expect(matchedCount).toBe(1);
  } else {
    throw new Error('unknown store type');
  }
}
