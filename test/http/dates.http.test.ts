import { api } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { newestFirst, zoneSensitiveInstants } from '../support/instants';

describeEachStore('publication dates over HTTP in any time zone', (context) => {
  const http = api(context);
  let token: string;

  beforeEach(async () => {
    ({ token } = await http.signUp());
  });

  it('when posts are created at instants a time zone could move, then each reads back unchanged and GET /posts orders them by instant', async () => {
    const ids = new Map<string, string>();
    for (const iso of zoneSensitiveInstants) {
      const created = await http.post('/posts', { title: iso, content: 'At an instant', publicationDate: iso }, token);
      expect(created.status).toBe(201);
      expect(created.body.publicationDate).toBe(iso);
      ids.set(iso, created.body.id);
    }

    for (const [iso, id] of ids) expect((await http.get(`/posts/${id}`)).body.publicationDate).toBe(iso);
    const listed = await http.get('/posts?limit=100');
    expect(listed.body.items.map((post: { publicationDate: string }) => post.publicationDate)).toEqual(newestFirst(zoneSensitiveInstants));
  });

  it.each([
    ['01:30 in New York the first time', '2024-11-03T01:30:00-04:00', '2024-11-03T05:30:00.000Z'],
    ['01:30 in New York the second time', '2024-11-03T01:30:00-05:00', '2024-11-03T06:30:00.000Z'],
    ['the first quarter-hour offset in Kathmandu', '1986-01-01T00:15:00+05:45', '1985-12-31T18:30:00.000Z'],
  ])('when a publication date is sent as %s, then it is stored and read back as that instant in UTC', async (_case, sent, utc) => {
    const created = await http.post('/posts', { title: 'Offset', content: 'Sent with an offset', publicationDate: sent }, token);
    expect(created.status).toBe(201);
    expect(created.body.publicationDate).toBe(utc);
    expect((await http.get(`/posts/${created.body.id}`)).body.publicationDate).toBe(utc);
  });

  it('when PATCH moves a publication date to either end of the accepted range, then it reads back unchanged', async () => {
    const { id } = (await http.post('/posts', { title: 'Moving', content: 'Through time' }, token)).body;
    for (const iso of ['1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      const patched = await http.patch(`/posts/${id}`, { publicationDate: iso }, token);
      expect(patched.status).toBe(200);
      expect(patched.body.publicationDate).toBe(iso);
      expect((await http.get(`/posts/${id}`)).body.publicationDate).toBe(iso);
    }
  });
});
