import type { Caller } from '../auth/accounts';
import { NotFoundError } from '../domain/errors';
import type { PostQuery, Slice } from '../domain/listing';
import type { NewPost, Post, PostChanges } from '../domain/post';
import type { Store } from '../domain/repositories';
import type { User } from '../domain/user';
import type { ExpectedVersions } from '../domain/versions';

/**
 * What a caller sees of some posts beside the posts themselves, each fact read for all of them in one store
 * call: whether the caller favorites each (`favorited`, only when signed in), and, when asked for, each
 * post's author and whether the caller follows them (`following`, only when signed in).
 */
export interface PostsSeen {
  favorited?: ReadonlySet<string>;
  authors?: ReadonlyMap<string, User>;
  following?: ReadonlySet<string>;
}

export interface PostPage extends PostsSeen {
  slice: Slice<Post>;
  /** How many posts the filter matches, when asked for. */
  total?: number;
}

export interface PostSeen extends PostsSeen {
  post: Post;
}

export interface SeeingOptions {
  /** The authors too, with `following` for a signed-in caller. */
  authors?: boolean;
}

/**
 * The posts as every surface offers them: reading with the caller's flags, writing as the caller. Only a
 * post's author changes or deletes it, which the store checks in the write itself.
 */
export class Posts {
  constructor(private readonly store: Store) {}

  /** One page, its total when `count`, and what the caller sees of it. */
  async page(caller: Caller | undefined, query: PostQuery, options: SeeingOptions & { count?: boolean } = {}): Promise<PostPage> {
    const { posts } = this.store;
    const [slice, total] = await Promise.all([posts.find(query), options.count ? posts.count(query.filter) : undefined]);
    return { slice, total, ...(await this.seenBy(caller, slice.items, options)) };
  }

  /** A page of the posts of the users the caller follows. */
  feed(caller: Caller, query: PostQuery, options: SeeingOptions & { count?: boolean } = {}): Promise<PostPage> {
    return this.page(caller, { ...query, filter: { ...query.filter, followedBy: caller.user.id } }, options);
  }

  /** @throws NotFoundError */
  async read(caller: Caller | undefined, id: string, options: SeeingOptions = {}): Promise<PostSeen> {
    if (!options.authors) {
      // By the id asked for, both at once: whether the caller favorites an unknown id does not matter.
      const [post, favorited] = await Promise.all([this.store.posts.findById(id), caller && this.store.favorites.favoritedAmong(caller.user.id, [id])]);
      if (post === null) throw new NotFoundError('post', id);
      return { post, favorited };
    }
    return this.seen(caller, await this.store.posts.findById(id), id, options);
  }

  /** By the post's current slug. @throws NotFoundError */
  async readBySlug(caller: Caller | undefined, slug: string, options: SeeingOptions = {}): Promise<PostSeen> {
    return this.seen(caller, await this.store.posts.findBySlug(slug), slug, options);
  }

  /** The post whose current slug this is, read alone: what a write by slug acts on. @throws NotFoundError */
  async findBySlug(slug: string): Promise<Post> {
    const post = await this.store.posts.findBySlug(slug);
    if (post === null) throw new NotFoundError('post', slug);
    return post;
  }

  /** The author is the caller. */
  create(caller: Caller, input: Omit<NewPost, 'authorId'>): Promise<Post> {
    return this.store.posts.create({ ...input, authorId: caller.user.id });
  }

  /** @throws NotFoundError, NotAuthorError, PreconditionFailedError */
  update(caller: Caller, id: string, changes: PostChanges, expected?: ExpectedVersions): Promise<Post> {
    return this.store.posts.update(id, changes, { expected, authorId: caller.user.id });
  }

  /** @throws NotFoundError, NotAuthorError, PreconditionFailedError */
  delete(caller: Caller, id: string, expected?: ExpectedVersions): Promise<void> {
    return this.store.posts.delete(id, { expected, authorId: caller.user.id });
  }

  /** Idempotent. @throws NotFoundError */
  favorite(caller: Caller, id: string): Promise<void> {
    return this.store.favorites.favorite(caller.user.id, id);
  }

  /** Idempotent. @throws NotFoundError */
  unfavorite(caller: Caller, id: string): Promise<void> {
    return this.store.favorites.unfavorite(caller.user.id, id);
  }

  /**
   * What the caller sees of `posts`: one store call per fact, whatever their number, and none for a fact
   * an anonymous caller does not have.
   */
  async seenBy(caller: Caller | undefined, posts: readonly Post[], { authors = false }: SeeingOptions = {}): Promise<PostsSeen> {
    const { users, favorites, follows } = this.store;
    const postIds = posts.map(({ id }) => id);
    const authorIds = authors ? [...new Set(posts.map(({ authorId }) => authorId))] : [];
    const none = <T>(empty: T) => Promise.resolve(empty);
    const [favorited, authorsById, following] = await Promise.all([
      caller === undefined ? undefined : postIds.length === 0 ? none(new Set<string>()) : favorites.favoritedAmong(caller.user.id, postIds),
      !authors ? undefined : authorIds.length === 0 ? none(new Map<string, User>()) : users.findManyById(authorIds),
      caller === undefined || !authors ? undefined : authorIds.length === 0 ? none(new Set<string>()) : follows.followedAmong(caller.user.id, authorIds),
    ]);
    return { favorited, authors: authorsById, following };
  }

  private async seen(caller: Caller | undefined, post: Post | null, key: string, options: SeeingOptions): Promise<PostSeen> {
    if (post === null) throw new NotFoundError('post', key);
    return { post, ...(await this.seenBy(caller, [post], options)) };
  }
}
