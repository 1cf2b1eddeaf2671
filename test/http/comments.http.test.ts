import { type SignedUp, api, isoMillis, publicView } from '../support/api';
import { describeEachStore } from '../support/each-store';
import { emoji, malformedIds } from '../support/factories';

describeEachStore('comments HTTP API', (context) => {
  const http = api(context);
  let postAuthor: SignedUp;
  let commenter: SignedUp;
  let postId: string;
  const comment = async (content: string, who = commenter, post = postId) => {
    const response = await http.post(`/posts/${post}/comments`, { content }, who.token);
    expect(response.status).toBe(201);
    return response.body;
  };

  beforeEach(async () => {
    postAuthor = await http.signUp();
    commenter = await http.signUp();
    postId = (await http.post('/posts', { title: 'Commented', content: 'Say something' }, postAuthor.token)).body.id;
  });

  describe('POST /posts/:id/comments', () => {
    it('when the body is valid, then 201 with the comment by the caller, its public author, and a Location that reads it back', async () => {
      const response = await http.post(`/posts/${postId}/comments`, { content: 'Well said' }, commenter.token);

      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        postId,
        authorId: commenter.user.id,
        author: publicView({ ...commenter.user, version: 1 }),
        content: 'Well said',
        createdAt: expect.stringMatching(isoMillis),
        updatedAt: response.body.createdAt,
      });
      expect(response.body.author).not.toHaveProperty('email');
      expect(response.headers.location).toBe(`/posts/${postId}/comments/${response.body.id}`);
      expect((await http.get(response.headers.location)).body).toEqual(response.body);
    });

    it('when the content is at its longest in code points, then it is accepted intact', async () => {
      expect((await comment(emoji(10_000))).content).toBe(emoji(10_000));
    });

    it.each([
      ['empty', { content: '' }, 'content'],
      ['blank', { content: ' \n\t' }, 'content'],
      ['over 10,000 characters', { content: 'x'.repeat(10_001) }, 'content'],
      ['missing', {}, 'content'],
      ['not a string', { content: 42 }, 'content'],
      ['holding U+0000', { content: 'a\u0000b' }, 'content'],
      ['naming its post', { content: 'Hi', postId: '1' }, 'postId'],
      ['naming its author', { content: 'Hi', authorId: '1' }, 'authorId'],
    ])('when the content is %s, then 400 naming the field, and nothing is written', async (_case, body, field) => {
      const response = await http.post(`/posts/${postId}/comments`, body, commenter.token);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
      expect((await http.get(`/posts/${postId}/comments`)).body.items).toEqual([]);
    });

    it('when there is no token, then 401', async () => {
      expect((await http.post(`/posts/${postId}/comments`, { content: 'Anonymous' })).status).toBe(401);
    });

    it('when the post is deleted, unknown or malformed, then 404', async () => {
      expect((await http.delete(`/posts/${postId}`, postAuthor.token)).status).toBe(204);
      for (const id of [postId, ...malformedIds(context.name)].filter(Boolean)) {
        const response = await http.post(`/posts/${encodeURIComponent(id)}/comments`, { content: 'Too late' }, commenter.token);
        expect(response.status).toBe(404);
      }
    });

    it('when a request is retried with its Idempotency-Key, then the first comment is answered again; the same key on another post makes another', async () => {
      const send = (post: string) =>
        http
          .raw()
          .post(`/posts/${post}/comments`)
          .set('Authorization', `Bearer ${commenter.token}`)
          .set('Idempotency-Key', 'comment-once')
          .set('Content-Type', 'application/json')
          .send(JSON.stringify({ content: 'Once' }));
      const first = await send(postId);
      const retry = await send(postId);
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.location).toBe(first.headers.location);
      expect((await http.get(`/posts/${postId}/comments`)).body.items).toHaveLength(1);

      const otherPost = (await http.post('/posts', { title: 'Other', content: 'Post' }, postAuthor.token)).body.id;
      const elsewhere = await send(otherPost);
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.headers['idempotent-replayed']).toBeUndefined();
      expect(elsewhere.body.postId).toBe(otherPost);
    });
  });

  describe('GET /posts/:id/comments', () => {
    it('when a post has comments, then pages come oldest first with nextCursor, each with its author as they are now', async () => {
      const written = [];
      for (let i = 0; i < 5; i += 1) written.push(await comment(`Comment ${i}`, i % 2 === 0 ? commenter : postAuthor));
      const renamed = (await http.patch(`/users/${commenter.user.id}`, { displayName: 'Renamed' }, commenter.token)).body;
      const current = written.map((item) => (item.authorId === commenter.user.id ? { ...item, author: publicView(renamed) } : item));

      const first = await http.get(`/posts/${postId}/comments?limit=2`);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ items: current.slice(0, 2), limit: 2, nextCursor: expect.any(String) });
      const second = await http.get(`/posts/${postId}/comments?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items).toEqual(current.slice(2, 4));
      const last = await http.get(`/posts/${postId}/comments?limit=2&cursor=${second.body.nextCursor}`);
      expect(last.body).toEqual({ items: current.slice(4), limit: 2, nextCursor: null });
      expect((await http.get(`/posts/${postId}/comments`)).body).toEqual({ items: current, limit: 20, nextCursor: null });
    });

    it('when the post is deleted, unknown or malformed, then 404', async () => {
      await comment('Soon gone');
      expect((await http.delete(`/posts/${postId}`, postAuthor.token)).status).toBe(204);
      for (const id of [postId, ...malformedIds(context.name)].filter(Boolean)) {
        expect((await http.get(`/posts/${encodeURIComponent(id)}/comments`)).status).toBe(404);
      }
    });

    it('when the cursor is altered or made for another post, or the query is wrong, then 400 naming it', async () => {
      await comment('One');
      await comment('Two');
      const { nextCursor } = (await http.get(`/posts/${postId}/comments?limit=1`)).body;
      const otherPost = (await http.post('/posts', { title: 'Other', content: 'Post' }, postAuthor.token)).body.id;
      const cases: [string, string][] = [
        [`/posts/${postId}/comments?cursor=${nextCursor}x`, 'cursor'],
        [`/posts/${otherPost}/comments?cursor=${nextCursor}`, 'cursor'],
        [`/posts/${postId}/comments?limit=0`, 'limit'],
        [`/posts/${postId}/comments?limit=101`, 'limit'],
        [`/posts/${postId}/comments?count=true`, 'count'],
        [`/posts/${postId}/comments?skip=1`, 'skip'],
      ];
      for (const [path, field] of cases) {
        const response = await http.get(path);
        expect(response.status).toBe(400);
        expect(response.body.errors).toEqual([expect.objectContaining({ field })]);
      }
    });
  });

  describe('GET /posts/:id/comments/:commentId', () => {
    it('when the comment is unknown, malformed or belongs to another post, then 404', async () => {
      const mine = await comment('Here');
      const otherPost = (await http.post('/posts', { title: 'Other', content: 'Post' }, postAuthor.token)).body.id;
      expect((await http.get(`/posts/${otherPost}/comments/${mine.id}`)).status).toBe(404);
      for (const id of malformedIds(context.name).filter(Boolean)) {
        expect((await http.get(`/posts/${postId}/comments/${encodeURIComponent(id)}`)).status).toBe(404);
        expect((await http.get(`/posts/${encodeURIComponent(id)}/comments/${mine.id}`)).status).toBe(404);
      }
    });
  });

  describe('DELETE /posts/:id/comments/:commentId', () => {
    it("when the comment's author or the post's author deletes, then 204 and it is gone; a stranger gets 403 and it stays", async () => {
      const stranger = await http.signUp();
      const first = await comment('First');
      const second = await comment('Second');

      const refused = await http.delete(`/posts/${postId}/comments/${first.id}`, stranger.token);
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toBe("only the comment's author or the post's author can delete a comment");
      expect((await http.get(`/posts/${postId}/comments/${first.id}`)).status).toBe(200);

      expect((await http.delete(`/posts/${postId}/comments/${first.id}`, commenter.token)).status).toBe(204);
      expect((await http.delete(`/posts/${postId}/comments/${second.id}`, postAuthor.token)).status).toBe(204);
      expect((await http.get(`/posts/${postId}/comments/${first.id}`)).status).toBe(404);
      expect((await http.get(`/posts/${postId}/comments`)).body.items).toEqual([]);
      expect((await http.delete(`/posts/${postId}/comments/${first.id}`, commenter.token)).status).toBe(404);
    });

    it('when there is no token, then 401; when the post or the comment is unknown, malformed or of another post, then 404', async () => {
      const mine = await comment('Mine');
      expect((await http.delete(`/posts/${postId}/comments/${mine.id}`)).status).toBe(401);
      const otherPost = (await http.post('/posts', { title: 'Other', content: 'Post' }, postAuthor.token)).body.id;
      expect((await http.delete(`/posts/${otherPost}/comments/${mine.id}`, commenter.token)).status).toBe(404);
      for (const id of malformedIds(context.name).filter(Boolean)) {
        expect((await http.delete(`/posts/${postId}/comments/${encodeURIComponent(id)}`, commenter.token)).status).toBe(404);
        expect((await http.delete(`/posts/${encodeURIComponent(id)}/comments/${mine.id}`, commenter.token)).status).toBe(404);
      }
      expect((await http.get(`/posts/${postId}/comments/${mine.id}`)).status).toBe(200);
    });

    it('when another method is used, then 405 with Allow', async () => {
      const mine = await comment('Mine');
      const onList = await http.patch(`/posts/${postId}/comments`, { content: 'x' }, commenter.token);
      expect(onList.status).toBe(405);
      expect(onList.headers.allow).toBe('GET, POST');
      const onOne = await http.patch(`/posts/${postId}/comments/${mine.id}`, { content: 'x' }, commenter.token);
      expect(onOne.status).toBe(405);
      expect(onOne.headers.allow).toBe('GET, DELETE');
    });
  });

  describe('deletes leave nothing behind', () => {
    it('when the post is deleted, then its comments are gone', async () => {
      const mine = await comment('Mine');
      expect((await http.delete(`/posts/${postId}`, postAuthor.token)).status).toBe(204);
      expect((await http.get(`/posts/${postId}/comments/${mine.id}`)).status).toBe(404);
    });

    it("when a user is deleted, then their comments on others' posts and the comments on their posts are gone", async () => {
      const theirs = await comment('By the commenter');
      const otherPost = (await http.post('/posts', { title: 'By the commenter', content: 'Post' }, commenter.token)).body.id;
      const onTheirPost = await comment('By the post author', postAuthor, otherPost);
      const kept = await comment('Stays', postAuthor);

      expect((await http.delete(`/users/${commenter.user.id}`, commenter.token, { currentPassword: commenter.password })).status).toBe(204);

      expect((await http.get(`/posts/${postId}/comments/${theirs.id}`)).status).toBe(404);
      expect((await http.get(`/posts/${otherPost}/comments/${onTheirPost.id}`)).status).toBe(404);
      expect((await http.get(`/posts/${postId}/comments`)).body.items).toEqual([kept]);
    });
  });
});
