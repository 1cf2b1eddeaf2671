import request from 'supertest';
import { createApp } from '../src/app';
import { api, checked, testAppOptions } from './support/api';
import { describeEachStore } from './support/each-store';

const listed = 'https://app.example.com';
const other = 'https://elsewhere.example.com';

describeEachStore('security headers and CORS', (context) => {
  /** Preflights are the browser's CORS protocol, not API answers: the API document does not list them. */
  const preflight = (corsOrigins: string[] | undefined, origin: string) =>
    request(createApp(context.store, { ...testAppOptions, corsOrigins }))
      .options('/posts')
      .set('Origin', origin)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
  const corsHeaders = (headers: Record<string, string>) => Object.keys(headers).filter((name) => name.startsWith('access-control-'));

  it.each([
    ['a success', '/users', 200],
    ['a problem', '/posts/no-such-post', 404],
    ['an unknown route', '/nowhere', 404],
  ])("when the API answers with %s, then helmet's headers are on it", async (_case, path, status) => {
    const response = await api(context).get(path);

    expect(response.status).toBe(status);
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
    });
    expect(response.headers['x-powered-by']).toBeUndefined();
    const policy = response.headers['content-security-policy'];
    // Same-origin script files and styles only (what the docs page needs), and no forced https on plain HTTP.
    expect(policy).toMatch(/(^|;)default-src 'self'(;|$)/);
    expect(policy).toMatch(/(^|;)script-src 'self'(;|$)/);
    expect(policy).toMatch(/(^|;)script-src-attr 'none'(;|$)/);
    expect(policy).toMatch(/(^|;)object-src 'none'(;|$)/);
    expect(policy).not.toMatch(/upgrade-insecure-requests/);
  });

  it('when CORS_ORIGINS is unset, then no response carries a CORS header, a preflight included', async () => {
    const http = api(context);
    const read = await checked(http.raw().get('/users').set('Origin', listed));
    expect(read.status).toBe(200);
    expect(corsHeaders(read.headers)).toEqual([]);

    const refused = await checked(http.raw().options('/posts').set('Origin', listed).set('Access-Control-Request-Method', 'POST'));
    expect(refused.status).toBe(405);
    expect(corsHeaders(refused.headers)).toEqual([]);
  });

  it('when CORS_ORIGINS lists an origin, then its preflight is answered with the methods and headers asked for', async () => {
    const response = await preflight([other, listed], listed);

    expect(response.status).toBe(204);
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': listed,
      'access-control-allow-headers': 'authorization, content-type, idempotency-key',
      'access-control-max-age': '600',
      vary: expect.stringMatching(/Origin/),
    });
    expect(response.headers['access-control-allow-methods'].split(',')).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE']));
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('when CORS_ORIGINS lists an origin, then its reads carry Access-Control-Allow-Origin and expose the API headers', async () => {
    const http = api(context, { corsOrigins: [listed] });
    const { user } = await http.signUp();
    const response = await checked(http.raw().get(`/users/${user.id}`).set('Origin', listed));

    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(listed);
    expect(response.headers['access-control-expose-headers'].split(',')).toEqual(expect.arrayContaining(['ETag', 'Location', 'Retry-After', 'X-Request-Id']));
  });

  it('when an origin CORS_ORIGINS does not list asks, then no answer carries any CORS header, and its preflight is a 405', async () => {
    const answered = await preflight([listed], other);
    expect(answered.status).toBe(405);
    expect(corsHeaders(answered.headers)).toEqual([]);

    const http = api(context, { corsOrigins: [listed] });
    for (const origin of [other, 'null', `${listed}/`, listed.toUpperCase()]) {
      const read = await checked(http.raw().get('/users').set('Origin', origin));
      expect(read.status).toBe(200);
      expect(corsHeaders(read.headers)).toEqual([]);
      expect(read.headers.vary).toMatch(/Origin/);
    }
    const refused = await checked(http.raw().get('/posts/no-such-post').set('Origin', other));
    expect(refused.status).toBe(404);
    expect(corsHeaders(refused.headers)).toEqual([]);
  });

  it('when a request has no Origin and CORS_ORIGINS is set, then it carries no CORS header, only Vary: Origin', async () => {
    const read = await checked(api(context, { corsOrigins: [listed] }).raw().get('/users'));
    expect(read.status).toBe(200);
    expect(corsHeaders(read.headers)).toEqual([]);
    expect(read.headers.vary).toMatch(/Origin/);
  });
});
