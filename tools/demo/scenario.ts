import { type Recorder, field } from './exchange';

/**
 * The walk through the API that both instances get: sign up, log in, write
 * tagged posts, page, filter and search them, change one under If-Match, delete
 * it, follow a user and unfollow her, read his feed, favorite posts and unfavorite one, comment on a post and delete a comment, and the common errors. Names carry `run`, so the scenario can run again on
 * the same stores; lists are read per author, so other data on them does not show.
 * It logs in three times: the default login limit (10 per address in 15 minutes)
 * allows three runs against one instance in that time.
 */
export async function runScenario(api: Recorder, run: string): Promise<void> {
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
