import { type Recorder, field } from './exchange';

/*
 * The walks through the two APIs that both instances get, one after the other in one run. Names carry `run`,
 * so a run can follow another on the same stores; lists are read per user or per tag of the run, so other
 * data on them does not show, and each walk deletes the accounts that wrote posts (and with them the posts,
 * their tags and comments), so that `GET /api/tags`, which lists the whole store's tags, shows only this run's.
 * A run counts against the default limits per client address: 5 logins (3 native, 2 Conduit; 10 per 15
 * minutes) and 8 sign-ups (4 and 4; 20 per hour), so two runs against one instance fit in those windows, as
 * test/demo.test.ts (SQLite twice) and `npm run demo:compose` (PostgreSQL twice) run it; a third meets the
 * login limit within 15 minutes, or the sign-up limit within the hour (429).
 */

/**
 * The native API: sign up, log in, write tagged posts, page, filter and search them, change one under If-Match,
 * delete it, follow a user and unfollow her, read his feed, favorite posts and unfavorite one, comment on a post
 * and delete a comment, delete an account, and the common errors.
 */
export async function runScenario(api: Recorder, run: string): Promise<void> {
  api.section('The native API');
  const ada = { email: `ada.${run}@example.com`, username: `ada_${run}`, displayName: 'Ada Lovelace', password: 'analytical engine 1843' };
  const bob = { email: `bob.${run}@example.com`, username: `bob_${run}`, displayName: 'Charles Babbage', password: 'difference engine 1822' };

  const signUp = await api.call('sign up', 'POST', '/users', { body: ada });
  const adaId = field(signUp, 'id');
  await api.call('sign up again with the email in capitals: taken', 'POST', '/users', {
    body: { ...ada, email: ada.email.toUpperCase(), username: `ada2_${run}` },
  });
  await api.call('sign up with a short password: invalid', 'POST', '/users', { body: { ...bob, password: 'short' } });
  await api.call('log in with a wrong password', 'POST', '/auth/login', { body: { email: ada.email, password: 'not the password at all' } });
  const token = field(await api.call('log in', 'POST', '/auth/login', { body: { email: ada.email, password: ada.password } }), 'accessToken');
  await api.call('who am I', 'GET', '/users/me', { token });

  await api.call('write without a token', 'POST', '/posts', { body: { title: 'Hello', content: 'First post' } });
  await api.call('write with an unknown field', 'POST', '/posts', { token, body: { title: 'Hello', content: 'First post', authorId: adaId } });
  const notes = { title: 'Notes', description: 'By the translator', content: 'On the Analytical Engine', publicationDate: '1843-09-01T00:00:00Z', tags: ['Engine', 'math'] };
  const notesId = field(await api.call('write a post with tags', 'POST', '/posts', { token, body: notes }), 'id');
  const bernoulliId = field(await api.call('write a second post', 'POST', '/posts', {
    token,
    body: { title: 'Bernoulli numbers', content: 'Note G: a method for the engine', publicationDate: '1843-10-01T00:00:00+01:00', tags: ['math'] },
  }), 'id');
  const poetry = { title: 'Poetical science', content: 'Imagination is the discovering faculty', publicationDate: '1844-01-01T12:00:00.123456Z' };
  const key = { 'Idempotency-Key': `poetry-${run}` };
  const poetryId = field(await api.call('write a third post with an Idempotency-Key', 'POST', '/posts', { token, body: poetry, headers: key }), 'id');
  await api.call('retry it with the same key: replayed, not written twice', 'POST', '/posts', { token, body: poetry, headers: key });
  await api.call('the same key with another body', 'POST', '/posts', { token, body: { ...poetry, title: 'Another' }, headers: key });

  const page = await api.call('list her posts by title, two per page', 'GET', `/users/${adaId}/posts?sort=title&limit=2&count=true`);
  await api.call('the next page by its cursor', 'GET', `/users/${adaId}/posts?sort=title&limit=2&count=true&cursor=${encodeURIComponent(field(page, 'nextCursor'))}`);
  await api.call('a cursor that was tampered with', 'GET', `/users/${adaId}/posts?sort=title&limit=2&cursor=${encodeURIComponent(`${field(page, 'nextCursor')}x`)}`);
  await api.call('her posts tagged math, oldest first', 'GET', `/posts?authorId=${adaId}&tag=MATH&sort=publicationDate`);
  await api.call('search her posts for "ENGINE"', 'GET', `/posts?authorId=${adaId}&q=ENGINE`);
  await api.call('an unknown sort', 'GET', `/posts?sort=popularity`);

  const read = await api.call('read the first post', 'GET', `/posts/${notesId}`);
  const etag = read.headers.etag ?? '';
  await api.call('read it again with its ETag: not modified', 'GET', `/posts/${notesId}`, { headers: { 'If-None-Match': etag } });
  await api.call('change its tags under If-Match', 'PATCH', `/posts/${notesId}`, { token, headers: { 'If-Match': etag }, body: { tags: ['engine', 'history'] } });
  await api.call('change it again with the old ETag: stale', 'PATCH', `/posts/${notesId}`, { token, headers: { 'If-Match': etag }, body: { title: 'Lost update' } });

  const bobId = field(await api.call('sign up a second user', 'POST', '/users', { body: bob }), 'id');
  const bobToken = field(await api.call('log in as the second user', 'POST', '/auth/login', { body: { email: bob.email, password: bob.password } }), 'accessToken');
  await api.call("the second user deletes Ada's post: forbidden", 'DELETE', `/posts/${notesId}`, { token: bobToken });

  const current = await api.call('read the first post once more', 'GET', `/posts/${notesId}`);
  await api.call('delete it under If-Match', 'DELETE', `/posts/${notesId}`, { token, headers: { 'If-Match': current.headers.etag ?? '' } });
  await api.call('read it after the delete', 'GET', `/posts/${notesId}`);
  await api.call('an id no store could issue', 'GET', '/posts/not-an-id');
  await api.call('a route that does not exist', 'GET', '/articles');
  await api.call('a method the route does not take', 'PUT', `/posts/${notesId}`, { token, body: notes });

  await api.call('the second user follows Ada', 'PUT', `/users/me/following/${adaId}`, { token: bobToken });
  await api.call('follows her again: no error, still one follow', 'PUT', `/users/me/following/${adaId}`, { token: bobToken });
  await api.call('follows himself: refused', 'PUT', `/users/me/following/${bobId}`, { token: bobToken });
  await api.call("Ada's followers, as the second user sees them", 'GET', `/users/${adaId}/followers`, { token: bobToken });
  await api.call('Ada, as the second user sees her', 'GET', `/users/${adaId}`, { token: bobToken });
  await api.call('he unfollows her', 'DELETE', `/users/me/following/${adaId}`, { token: bobToken });
  await api.call('Ada, as he sees her now: a new ETag', 'GET', `/users/${adaId}`, { token: bobToken });
  await api.call('he follows her again', 'PUT', `/users/me/following/${adaId}`, { token: bobToken });
  await api.call('the users he follows', 'GET', `/users/${bobId}/following`);
  const feed = await api.call('his feed: the posts of those he follows, newest first, one per page', 'GET', '/feed?limit=1', { token: bobToken });
  await api.call('the next page of his feed by its cursor', 'GET', `/feed?limit=1&cursor=${encodeURIComponent(field(feed, 'nextCursor'))}`, { token: bobToken });
  await api.call('his feed with the cursor of her posts list', 'GET', `/feed?sort=title&limit=2&cursor=${encodeURIComponent(field(page, 'nextCursor'))}`, { token: bobToken });
  await api.call('a feed without a token', 'GET', '/feed');

  await api.call('he favorites her post on Bernoulli numbers', 'PUT', `/users/me/favorites/${bernoulliId}`, { token: bobToken });
  await api.call('favorites it again: no error, still one favorite', 'PUT', `/users/me/favorites/${bernoulliId}`, { token: bobToken });
  await api.call('and her poetical science', 'PUT', `/users/me/favorites/${poetryId}`, { token: bobToken });
  await api.call('the post as he sees it: counted, favorited, the same version, a new ETag', 'GET', `/posts/${bernoulliId}`, { token: bobToken });
  await api.call('the posts he favorites, most recently favorited first', 'GET', `/users/${bobId}/favorites`);
  await api.call('he unfavorites the poetry', 'DELETE', `/users/me/favorites/${poetryId}`, { token: bobToken });
  await api.call('her posts he favorites, by the favoritedBy filter, as she sees them', 'GET', `/posts?authorId=${adaId}&favoritedBy=${bobId}`, { token });
  await api.call('a favorite of a post that does not exist', 'PUT', `/users/me/favorites/${notesId}`, { token: bobToken });

  const comments = `/posts/${bernoulliId}/comments`;
  const commentId = field(await api.call('he comments on her post', 'POST', comments, { token: bobToken, body: { content: 'Note G runs on the engine?' } }), 'id');
  await api.call('an empty comment: invalid', 'POST', comments, { token: bobToken, body: { content: '' } });
  await api.call('she answers', 'POST', comments, { token, body: { content: 'It would, had it been built.' } });
  await api.call('the comments on her post, oldest first, each with its author', 'GET', comments);
  await api.call('his comment, under another post: not found', 'GET', `/posts/${poetryId}/comments/${commentId}`);
  await api.call('she deletes his comment: the post is hers', 'DELETE', `${comments}/${commentId}`, { token });
  await api.call('the comments now', 'GET', comments);

  await api.call('the second user logs out', 'POST', '/auth/logout', { token: bobToken });
  await api.call('the revoked token', 'GET', '/users/me', { token: bobToken });
  await api.call('delete the account, which takes the password', 'DELETE', `/users/${adaId}`, { token, body: { currentPassword: ada.password } });
  await api.call('the token of the deleted account', 'GET', '/users/me', { token });
  await api.call('her posts went with it', 'GET', `/posts?authorId=${adaId}`);
  await api.call('and so did her follows', 'GET', `/users/${bobId}/following`);
  await api.call('and his favorites of her posts', 'GET', `/users/${bobId}/favorites`);
  await api.call('and the comments on her posts', 'GET', comments);
}

/**
 * The Conduit API at /api, with the `Token` scheme its clients send: register, log in, articles with tags and
 * their slugs, lists and their filters, follow, the feed by offset, favorites, comments, an editor's update,
 * a settings form, tags, deletes and their errors (401, 403, 404, 422). The accounts are deleted at the end
 * on the native API, which alone deletes accounts; a token of either API works on the other.
 */
export async function runConduitScenario(api: Recorder, run: string): Promise<void> {
  api.section('The Conduit API at /api');
  const jake = { email: `jake.${run}@example.com`, username: `jake_${run}`, password: 'jake jumps over the lazy dog' };
  const jane = { email: `jane.${run}@example.com`, username: `jane_${run}`, password: 'jane reads every article' };
  const as = (token: string) => ({ token, scheme: 'Token' as const });
  const [dragons, training, sequels] = [`dragons-${run}`, `training-${run}`, `sequels-${run}`];

  await api.call('register', 'POST', '/api/users', { body: { user: jake } });
  const janeToken = field(await api.call('register a second user', 'POST', '/api/users', { body: { user: jane } }), 'user', 'token');
  await api.call('register with his email in capitals: taken', 'POST', '/api/users', {
    body: { user: { ...jake, email: `JAKE.${run}@EXAMPLE.COM`, username: `jake2_${run}` } },
  });
  await api.call('register with a short password: invalid', 'POST', '/api/users', { body: { user: { ...jake, username: `jake3_${run}`, password: 'short' } } });
  await api.call('log in with a wrong password', 'POST', '/api/users/login', { body: { user: { email: jake.email, password: 'not the password at all' } } });
  const token = field(await api.call('log in', 'POST', '/api/users/login', { body: { user: { email: jake.email, password: jake.password } } }), 'user', 'token');
  await api.call('who am I, with the Token scheme', 'GET', '/api/user', as(token));

  const dragon = { title: 'How to train your dragon', description: 'Ever wonder how?', body: 'You have to believe.', tagList: [`Dragons-${run}`, training] };
  const first = field(await api.call('write an article with tags', 'POST', '/api/articles', { ...as(token), body: { article: dragon } }), 'article', 'slug');
  const second = field(await api.call('the same title again: a slug of its own', 'POST', '/api/articles', {
    ...as(token),
    body: { article: { title: dragon.title, body: 'Believe harder.', tagList: [dragons] } },
  }), 'article', 'slug');
  await api.call('a title with accents: dropped from the slug', 'POST', '/api/articles', { ...as(token), body: { article: { title: 'Crème brûlée für Drachen', body: 'Torch it.' } } });
  await api.call('his articles, newest first, without their bodies, with articlesCount', 'GET', `/api/articles?author=${jake.username}`);
  await api.call('the articles with his first tag', 'GET', `/api/articles?tag=${dragons}`);
  await api.call('an author nobody is: an empty list', 'GET', `/api/articles?author=nobody_${run}`);

  await api.call('she follows him', 'POST', `/api/profiles/${jake.username}/follow`, as(janeToken));
  await api.call('follows him again: no error, still following', 'POST', `/api/profiles/${jake.username}/follow`, as(janeToken));
  await api.call('his profile, as she sees it', 'GET', `/api/profiles/${jake.username}`, as(janeToken));
  await api.call('his profile, anonymously', 'GET', `/api/profiles/${jake.username}`);
  await api.call('her feed, two per page', 'GET', '/api/articles/feed?limit=2', as(janeToken));
  await api.call('her feed, from the third', 'GET', '/api/articles/feed?limit=2&offset=2', as(janeToken));

  await api.call('she favorites his first article', 'POST', `/api/articles/${first}/favorite`, as(janeToken));
  await api.call('favorites it again: no error, still one favorite', 'POST', `/api/articles/${first}/favorite`, as(janeToken));
  await api.call('the articles she favorites', 'GET', `/api/articles?favorited=${jane.username}`);
  await api.call('she unfavorites it', 'DELETE', `/api/articles/${first}/favorite`, as(janeToken));

  const comments = `/api/articles/${first}/comments`;
  const hers = field(await api.call('she comments on it', 'POST', comments, { ...as(janeToken), body: { comment: { body: 'Does it work on a Night Fury?' } } }), 'comment', 'id');
  await api.call('he answers', 'POST', comments, { ...as(token), body: { comment: { body: 'On every dragon.' } } });
  await api.call('the comments, newest first, as she sees them', 'GET', comments, as(janeToken));
  await api.call('he deletes her comment: only its author may', 'DELETE', `${comments}/${hers}`, as(token));
  await api.call('her comment under his other article: not found', 'DELETE', `/api/articles/${second}/comments/${hers}`, as(janeToken));
  await api.call('she deletes her comment', 'DELETE', `${comments}/${hers}`, as(janeToken));
  await api.call('the comments now', 'GET', comments);

  const edited = { slug: second, title: 'How to train your dragon, part two', description: '', body: 'Believe harder.', tagList: [dragons, sequels] };
  const renamed = field(await api.call('a new title and tags from his editor, which sends the slug back: the slug follows the title, its suffix stays', 'PUT', `/api/articles/${second}`, {
    ...as(token),
    body: { article: edited },
  }), 'article', 'slug');
  await api.call('the old slug', 'GET', `/api/articles/${second}`);
  await api.call('the new slug', 'GET', `/api/articles/${renamed}`);

  await api.call('his settings form, sent back whole: "password": "" and the same email change nothing', 'PUT', '/api/user', {
    ...as(token),
    body: { user: { email: jake.email, username: jake.username, bio: 'I work at statefarm', image: '', password: '' } },
  });
  await api.call('a new email without currentPassword: refused', 'PUT', '/api/user', { ...as(token), body: { user: { email: `jacob.${run}@example.com` } } });
  await api.call('the tags, most used first', 'GET', '/api/tags');

  await api.call('she deletes his article: only its author may', 'DELETE', `/api/articles/${first}`, as(janeToken));
  await api.call('he deletes it', 'DELETE', `/api/articles/${first}`, as(token));
  await api.call('the deleted article', 'GET', `/api/articles/${first}`);

  const jakeId = field(await api.call('his account on the native API, by the same token', 'GET', '/users/me', as(token)), 'id');
  await api.call('delete his account, with his articles', 'DELETE', `/users/${jakeId}`, { ...as(token), body: { currentPassword: jake.password } });
  const janeId = field(await api.call('her account on the native API', 'GET', '/users/me', as(janeToken)), 'id');
  await api.call('delete her account', 'DELETE', `/users/${janeId}`, { ...as(janeToken), body: { currentPassword: jane.password } });
}
