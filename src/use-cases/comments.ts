import type { Caller } from '../auth/accounts';
import type { AuthoredComment, Comment, CommentQuery } from '../domain/comment';
import { NotAuthorError, NotFoundError } from '../domain/errors';
import type { Slice } from '../domain/listing';
import type { Store } from '../domain/repositories';

/** Who may delete a comment: its author, and the author of its post unless only the comment's author may. */
export type CommentDeletion = 'comment-or-post-author' | 'comment-author';

/** The comments of a post, on every surface. */
export class Comments {
  constructor(private readonly store: Store) {}

  /** @throws NotFoundError (the post) */
  async page(query: CommentQuery): Promise<Slice<AuthoredComment>> {
    const slice = await this.store.comments.find(query);
    if (slice === null) throw new NotFoundError('post', query.postId);
    return slice;
  }

  /** @throws NotFoundError */
  async read(postId: string, id: string): Promise<AuthoredComment> {
    const comment = await this.store.comments.findById(postId, id);
    if (comment === null) throw new NotFoundError('comment', id);
    return comment;
  }

  /** The caller is the author. @throws NotFoundError (the post), InvalidReferenceError */
  create(caller: Caller, postId: string, content: string): Promise<Comment> {
    return this.store.comments.create({ postId, authorId: caller.user.id, content });
  }

  /**
   * Deletes the comment of this post with this number, if the caller may (`who`); checked by the store in
   * the delete itself, and first here when only its author may.
   * @throws NotFoundError (post, then comment), NotAuthorError
   */
  async deleteByNumber(caller: Caller, postId: string, number: number, who: CommentDeletion): Promise<void> {
    const comment = await this.store.comments.findByNumber(postId, number);
    if (comment === null) throw new NotFoundError('comment', String(number));
    // A comment's author never changes: this check cannot go stale before the delete.
    if (who === 'comment-author' && comment.authorId !== caller.user.id) throw new NotAuthorError('comment', comment.id);
    await this.store.comments.delete(postId, comment.id, caller.user.id);
  }

  /** @throws NotFoundError (post, then comment), NotAuthorError */
  delete(caller: Caller, postId: string, id: string): Promise<void> {
    return this.store.comments.delete(postId, id, caller.user.id);
  }
}
