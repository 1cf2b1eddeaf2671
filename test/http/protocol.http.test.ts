import { describeEachStore } from '../support/each-store';
import { api, checked, publicView } from '../support/api';
import { aSignUp } from '../support/factories';

describeEachStore('HTTP protocol errors', (context) => {
  const http = api(context);
  const countUsers = async () => (await http.get('/users')).body.total;

  it('when the JSON is malformed, then 400 and nothing is stored', async () => {
    const response = await checked(http.raw().post('/users').set('Content-Type', 'application/json').send('{"email": "a@b.c",'));
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('request body is not valid JSON');
    expect(await countUsers()).toBe(0);
  });

  it.each([
    ['an array', []],
    ['a string', 'user'],
    ['null', null],
  ])('when the JSON body is %s, then 400', async (_case, body) => {
    const response = await checked(http.raw().post('/users').set('Content-Type', 'application/json').send(JSON.stringify(body)));
    expect(response.status).toBe(400);
  });

  it.each(['/users', '/auth/login'])('when a field of %s holds arrays nested thousands deep, then 400 and nothing is stored', async (path) => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    for (const field of ['email', 'password', 'unknown']) {
      const body = `{"email":"deep@example.com","password":"long enough password","${field}":${deep}}`;
      const response = await checked(http.raw().post(path).set('Content-Type', 'application/json').send(body));
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
    }
    expect(await countUsers()).toBe(0);
  });

  it('when the body is over 1 MB, then 413 and nothing is stored', async () => {
    const body = JSON.stringify({ ...aSignUp(), displayName: 'x'.repeat(1024 * 1024) });
    const response = await checked(http.raw().post('/users').set('Content-Type', 'application/json').send(body));
    expect(response.status).toBe(413);
    expect(await countUsers()).toBe(0);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', undefined])('when POST /users has content type %s, then 415', async (type) => {
    const test = http.raw().post('/users');
    if (type) test.set('Content-Type', type);
    const response = await checked(type ? test.send(JSON.stringify(aSignUp())) : test);
    expect(response.status).toBe(415);
    expect(await countUsers()).toBe(0);
  });

  it('when PATCH by the user has content type text/plain, then 415 and nothing changes', async () => {
    const { user, token } = await http.signUp();
    const response = await checked(
      http.raw().patch(`/users/${user.id}`).set('Authorization', `Bearer ${token}`).set('Content-Type', 'text/plain').send('{"displayName":"x"}'),
    );
    expect(response.status).toBe(415);
    expect((await http.get(`/users/${user.id}`)).body).toEqual(publicView(user));
  });

  it('when the JSON charset is not UTF-8, then 415', async () => {
    const response = await checked(http.raw().post('/users').set('Content-Type', 'application/json; charset=latin1').send(JSON.stringify(aSignUp())));
    expect(response.status).toBe(415);
  });

  it('when the path is not valid percent-encoding, then 400', async () => {
    const response = await http.get('/users/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('request path is not valid percent-encoding');
  });

  it('when the body claims a compression it does not have, then 400 and nothing is stored', async () => {
    const response = await checked(
      http.raw().post('/users').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send(JSON.stringify(aSignUp())),
    );
    expect(response.status).toBe(400);
    expect(await countUsers()).toBe(0);
  });

  it('when a query parameter is written as an operator, then 400 names it', async () => {
    const response = await http.get('/posts?skip[$gt]=1');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'skip[$gt]', message: 'skip[$gt] is not a known field' }]);
  });

  it('when the route is unknown, then 404 as a problem', async () => {
    const response = await http.get('/nothing/here');
    expect(response.status).toBe(404);
    expect(response.body.detail).toBe('no route for GET /nothing/here');
  });

  it('when the method is not served on a known path, then 405 with Allow', async () => {
    const response = await checked(http.raw().put('/users'));
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
  });

  it('when a request id is given, then it is echoed; otherwise one is made', async () => {
    expect((await checked(http.raw().get('/users').set('X-Request-Id', 'abc-123'))).headers['x-request-id']).toBe('abc-123');
    expect((await http.get('/users')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
