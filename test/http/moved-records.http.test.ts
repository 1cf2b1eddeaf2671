import { randomBytes } from 'node:crypto';
import type { IdFamily } from '../../src/domain/transfer';
import { api } from '../support/api';
import { describeEachStore } from '../support/each-store';

/**
 * After a copy from a store of the other family (npm run copy), an old id in a native path answers 308 to the
 * same path under the new id. The copy is written through the transfer port, as the copy command writes it.
 */
describeEachStore('records moved by a copy', (context) => {
  const http = api(context);
  const otherFamily = (): IdFamily => (context.name === 'mongodb' ? 'sql' : 'mongodb');
  const oldId = (n: number) => (otherFamily() === 'sql' ? String(n) : randomBytes(12).toString('hex'));
  const at = new Date('2026-04-01T10:00:00.123Z');
  let old: { ada: string; post: string; comment: string };

  beforeEach(async () => {
    old = { ada: oldId(11), post: oldId(12), comment: oldId(13) };
    const { transfer } = context.store;
    await transfer.begin({ source: 'an earlier store', sourceFamily: otherFamily() });
    await transfer.write('users', [{ id: old.ada, email: 'ada@example.com', username: 'ada', displayName: 'Ada', bio: '', image: null, passwordHash: null, createdAt: at, updatedAt: at, version: 1 }], null);
    await transfer.write('posts', [{ id: old.post, number: 812, authorId: old.ada, title: 'Notes', description: '', content: 'x', publicationDate: at, createdAt: at, updatedAt: at, version: 1, tags: [] }], null);
    await transfer.write('follows', [], null);
    await transfer.write('favorites', [], null);
    await transfer.write('comments', [{ id: old.comment, number: 813, postId: old.post, authorId: old.ada, content: 'hi', createdAt: at, updatedAt: at }], null);
    await transfer.finish();
  });

  const newId = async (kind: 'users' | 'posts' | 'comments', id: string) => (await context.store.transfer.movedId(kind, id))!;

  it('when a GET names a record by its old id, then it is sent to the same path under the new id, with its query', async () => {
    const [ada, post, comment] = [await newId('users', old.ada), await newId('posts', old.post), await newId('comments', old.comment)];

    const user = await http.get(`/users/${old.ada}`);
    expect(user.status).toBe(308);
    expect(user.headers.location).toBe(`/users/${ada}`);
    expect((await http.get(user.headers.location)).body).toMatchObject({ id: ada, username: 'ada' });
    expect((await http.get(`/users/${old.ada}/posts?limit=1&sort=title`)).headers.location).toBe(`/users/${ada}/posts?limit=1&sort=title`);
    expect((await http.get(`/posts/${old.post}`)).headers.location).toBe(`/posts/${post}`);
    expect((await http.get(`/posts/${old.post}/comments?limit=5`)).headers.location).toBe(`/posts/${post}/comments?limit=5`);
    const both = await http.get(`/posts/${old.post}/comments/${old.comment}`);
    expect(both.status).toBe(308);
    expect(both.headers.location).toBe(`/posts/${post}/comments/${comment}`);
    expect((await http.get(both.headers.location)).body).toMatchObject({ id: comment, content: 'hi' });
  });

  it('when an id names nothing moved, or the request is not a read, then the answer is what it would have been', async () => {
    expect((await http.get(`/users/${oldId(99)}`)).status).toBe(404);
    expect((await http.get(`/posts/${await newId('posts', old.post)}1`)).status).toBe(404);
    // The Conduit API names posts by slug and comments by number, which a copy keeps: nothing to move.
    expect((await http.get(`/api/articles/notes-${(812).toString(36)}`)).status).toBe(200);
    const { token } = await http.signUp();
    expect((await http.delete(`/posts/${old.post}`, token)).status).toBe(404);
  });
});
