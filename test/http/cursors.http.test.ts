import { createHash } from 'node:crypto';
import { api } from '../support/api';
import { describeEachStore } from '../support/each-store';

/**
 * A cursor as src/http/native/cursors.ts seals one: the position as JSON, base64url, then a check over it and the
 * list. A client can do the same, so these cursors pass the check and only their value can be wrong.
 */
function forge(position: unknown[], list: string): string {
  const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${payload}.${createHash('sha256').update(`${list}\n${payload}`).digest('base64url').slice(0, 16)}`;
}

const noFilters = JSON.stringify([null, null, null, null, null]);
const postsByTitle = `GET /posts sort=title ${noFilters}`;
const postsByDate = `GET /posts sort=-publicationDate ${noFilters}`;

describeEachStore('forged cursors HTTP API', (context) => {
  const http = api(context);
  let token: string;
  let authorId: string;
  let first: { id: string; title: string; publicationDate: string };

  const expectRefused = async (path: string) => {
    const response = await http.get(path);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  };

  beforeEach(async () => {
    ({ token, user: { id: authorId } } = await http.signUp());
    for (const [title, tags] of [['b', ['go', 'rust']], ['c', ['go']], ['a', ['go', 'rust', 'zig']]] as const) {
      const created = await http.post('/posts', { title, content: 'c', publicationDate: `2020-01-0${title.charCodeAt(0) - 96}T00:00:00Z`, tags }, token);
      expect(created.status).toBe(201);
    }
    first = (await http.get('/posts?sort=title&limit=1')).body.items[0];
  });

  it('when a cursor is forged as the service makes them, then it equals the nextCursor served, and a forged valid place is served', async () => {
    expect(forge(['s', first.title, first.id], postsByTitle)).toBe((await http.get('/posts?sort=title&limit=1')).body.nextCursor);
    const newest = (await http.get('/posts?limit=1')).body;
    expect(forge(['d', newest.items[0].publicationDate, newest.items[0].id], postsByDate)).toBe(newest.nextCursor);
    expect(forge(['n', 3, 'go'], 'GET /tags')).toBe((await http.get('/tags?limit=1')).body.nextCursor);

    const afterB = await http.get(`/posts?sort=title&limit=5&cursor=${encodeURIComponent(forge(['s', 'b', first.id], postsByTitle))}`);
    expect(afterB.status).toBe(200);
    expect(afterB.body.items.map((post: { title: string }) => post.title)).toEqual(['c']);
    const afterGo = await http.get(`/tags?cursor=${encodeURIComponent(forge(['n', 3, 'go'], 'GET /tags'))}`);
    expect(afterGo.body.items).toEqual([{ name: 'rust', postCount: 2 }, { name: 'zig', postCount: 1 }]);
  });

  it.each([
    ['holds U+0000', 'a\u0000b'],
    ['is a lone surrogate', '\ud800'],
    ['is 256 characters long', 'x'.repeat(256)],
    ['is empty', ''],
    ['is blank', '   '],
  ])('when the title of a title cursor %s, then 400 names cursor', async (_case, title) => {
    await expectRefused(`/posts?sort=title&limit=1&cursor=${encodeURIComponent(forge(['s', title, first.id], postsByTitle))}`);
  });

  it('when the title cursor of an author\'s posts holds U+0000, then 400 names cursor', async () => {
    const list = `GET /users/${authorId}/posts sort=title ${JSON.stringify([authorId, null, null, null, null])}`;
    await expectRefused(`/users/${authorId}/posts?sort=title&limit=1&cursor=${encodeURIComponent(forge(['s', 'a\u0000', first.id], list))}`);
  });

  it.each([
    ['in the year 500', '0500-06-15T00:00:00.000Z'],
    ['the first instant before 1000-01-01', '0999-12-31T23:59:59.999Z'],
    ['after the year 9999', '+010000-01-01T00:00:00.000Z'],
    ['in another form than the service writes', '2020-01-01'],
    ['not a date at all', 'yesterday'],
  ])('when the date of a date cursor is %s, then 400 names cursor', async (_case, date) => {
    await expectRefused(`/posts?limit=1&cursor=${encodeURIComponent(forge(['d', date, first.id], postsByDate))}`);
  });

  it('when a date cursor holds the first and last instants a publicationDate may have, then it is served', async () => {
    for (const date of ['1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      const response = await http.get(`/posts?limit=1&cursor=${encodeURIComponent(forge(['d', date, first.id], postsByDate))}`);
      expect(response.status).toBe(200);
    }
  });

  it.each([
    ['holds U+0000', '1\u0000'],
    ['is a lone surrogate', '\udc00'],
    ['is empty', ''],
    ['is 256 characters long', '1'.repeat(256)],
  ])('when the id of a cursor %s, then 400 names cursor', async (_case, id) => {
    await expectRefused(`/posts?limit=1&cursor=${encodeURIComponent(forge(['d', first.publicationDate, id], postsByDate))}`);
    await expectRefused(`/users?limit=1&cursor=${encodeURIComponent(forge(['s', id, id], 'GET /users'))}`);
  });

  it('when the id of a cursor is text no store issues, then the list simply ends there, the same on every store', async () => {
    for (const id of ['abc', '-1', '507f1f77bcf86cd79943901']) {
      const response = await http.get(`/posts?limit=1&cursor=${encodeURIComponent(forge(['d', first.publicationDate, id], postsByDate))}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ items: [], nextCursor: null });
    }
  });

  it.each([
    ['holds U+0000', [1, 'go\u0000']],
    ['holds a control character', [1, 'go\u0007']],
    ['is a lone surrogate', [1, '\ud800']],
    ['is not lower-cased', [1, 'Go']],
    ['is not trimmed', [1, ' go']],
    ['is 33 characters long', [1, 'a'.repeat(33)]],
    ['is empty', [1, '']],
    ['has a count of 0', [0, 'go']],
    ['has a negative count', [-1, 'go']],
    ['has a fractional count', [1.5, 'go']],
    ['has a count past 2^53', [2 ** 53, 'go']],
    ['has a count as text', ['1', 'go']],
  ])('when a tag cursor %s, then 400 names cursor', async (_case, [count, name]) => {
    await expectRefused(`/tags?limit=1&cursor=${encodeURIComponent(forge(['n', count, name], 'GET /tags'))}`);
  });
});
