import { MongoClient, ObjectId } from 'mongodb';
import type { ArticleRecord, BaselineStore, ListPosition, PostRecord } from './store';
import { searchKey } from './store';

interface PostDocument {
  _id: ObjectId;
  authorId: ObjectId;
  title: string;
  /** What the post's slug ends with, in base 36; absent from posts stored without it, whose slug ends with the `_id` in hex. */
  slugNumber?: number;
  description?: string;
  content: string;
  publicationDate: Date;
  createdAt: Date;
  updatedAt: Date;
  tags: string[];
  titleKey: string;
  contentKey: string;
  version: number;
  /** Kept by the service as favorites come and go; absent on posts written before favorites. */
  favoritesCount?: number;
}

interface FollowDocument {
  _id: { follower: ObjectId; followee: ObjectId };
  createdAt: Date;
}

interface FavoriteDocument {
  _id: { user: ObjectId; post: ObjectId };
  createdAt: Date;
}

interface UserDocument {
  _id: ObjectId;
  username: string;
  /** Absent from users written before profiles: read as '' and null. */
  bio?: string;
  image?: string | null;
}

interface SessionDocument {
  _id: string;
  userId: ObjectId;
  expiresAt: Date;
}

const newestFirst = { publicationDate: -1, _id: -1 } as const;
const newestCreatedFirst = { createdAt: -1, _id: -1 } as const;
const withoutKeys = { titleKey: 0, contentKey: 0 } as const;

/** One MongoClient on the database the URL names, with the service's collections and documents. */
export async function openMongoStore(url: string): Promise<BaselineStore> {
  const client = await MongoClient.connect(url);
  const db = client.db(decodeURIComponent(/^[^:]+:\/\/[^/]*\/([^?]*)/.exec(url)?.[1] || 'dualstore'));
  const posts = db.collection<PostDocument>('posts');
  const sessions = db.collection<SessionDocument>('sessions');
  const follows = db.collection<FollowDocument>('follows');
  const favorites = db.collection<FavoriteDocument>('favorites');
  const users = db.collection<UserDocument>('users');
  /** The authors a reader follows, by the `_id` index: the service reads them before each of the feed's commands. */
  const followeesOf = async (userId: string) => (await follows.find({ '_id.follower': new ObjectId(userId) }, { projection: { _id: 1 } }).toArray()).map(({ _id }) => _id.followee);
  const articlesFilter = async (followedBy: string | undefined) => (followedBy === undefined ? {} : { authorId: { $in: await followeesOf(followedBy) } });
  // The service's seek filter (mongo/post-queries.ts): the first term bounds the index range, the equal date its own branch.
  const after = (position: ListPosition | undefined) =>
    position === undefined
      ? {}
      : {
          publicationDate: { $lte: position.publicationDate },
          $or: [{ publicationDate: { $lt: position.publicationDate } }, { publicationDate: position.publicationDate, _id: { $lt: new ObjectId(position.id) } }],
        };

  return {
    sessionUser: async (tokenHash, now) => {
      const session = await sessions.findOne({ _id: tokenHash });
      return session === null || session.expiresAt <= now ? null : session.userId.toHexString();
    },
    findPost: async (id) => {
      const document = /^[0-9a-f]{24}$/.test(id) ? await posts.findOne({ _id: new ObjectId(id) }, { projection: withoutKeys }) : null;
      return document === null ? null : record(document);
    },
    listPosts: async (count, position) => (await posts.find(after(position), { projection: withoutKeys }).sort(newestFirst).limit(count).toArray()).map(record),
    listFeed: async (userId, count, position) => {
      // As the service (no $lookup on FerretDB): the followees by the `_id` index, then their posts by one `$in`.
      const followed = await follows.find({ '_id.follower': new ObjectId(userId) }, { projection: { _id: 1 } }).toArray();
      if (followed.length === 0) return [];
      const filter = { authorId: { $in: followed.map(({ _id }) => _id.followee) }, ...after(position) };
      return (await posts.find(filter, { projection: withoutKeys }).sort(newestFirst).limit(count).toArray()).map(record);
    },
    favoritedAmong: async (userId, postIds) => {
      const user = new ObjectId(userId);
      const ids = [...new Set(postIds)].filter((id) => /^[0-9a-f]{24}$/.test(id));
      if (ids.length === 0) return new Set();
      // The pair is the `_id`: its index answers each.
      const found = await favorites.find({ _id: { $in: ids.map((id) => ({ user, post: new ObjectId(id) })) } }, { projection: { _id: 1 } }).toArray();
      return new Set(found.map(({ _id }) => _id.post.toHexString()));
    },
    listArticles: async (count, offset, followedBy) => {
      const filter = await articlesFilter(followedBy);
      // The service's order for the Conduit list, by the `created` index.
      return (await posts.find(filter, { projection: withoutKeys }).sort(newestCreatedFirst).skip(offset).limit(count).toArray()).map(article);
    },
    countArticles: async (followedBy) => posts.countDocuments(await articlesFilter(followedBy)),
    profilesById: async (userIds) => {
      const found = await users.find({ _id: { $in: userIds.map((id) => new ObjectId(id)) } }, { projection: { username: 1, bio: 1, image: 1 } }).toArray();
      return new Map(found.map(({ _id, username, bio, image }) => [_id.toHexString(), { username, bio: bio ?? '', image: image ?? null }]));
    },
    followedAmong: async (userId, userIds) => {
      const follower = new ObjectId(userId);
      // The pair is the `_id`: its index answers each.
      const found = await follows.find({ _id: { $in: userIds.map((id) => ({ follower, followee: new ObjectId(id) })) } }, { projection: { _id: 1 } }).toArray();
      return new Set(found.map(({ _id }) => _id.followee.toHexString()));
    },
    createPost: async (authorId, post, now) => {
      const document: PostDocument = {
        _id: new ObjectId(),
        authorId: new ObjectId(authorId),
        title: post.title,
        description: post.description,
        content: post.content,
        publicationDate: post.publicationDate,
        createdAt: now,
        updatedAt: now,
        tags: post.tags,
        titleKey: searchKey(post.title),
        contentKey: searchKey(post.content),
        version: 1,
        favoritesCount: 0,
      };
      await posts.insertOne(document);
      return record(document);
    },
    updatePost: async (id, authorId, version, { title, description, content, publicationDate, tags }, now) => {
      const document = await posts.findOneAndUpdate(
        { _id: new ObjectId(id), authorId: new ObjectId(authorId), ...(version === undefined ? {} : { version }) },
        {
          $set: {
            ...(title !== undefined && { title, titleKey: searchKey(title) }),
            ...(description !== undefined && { description }),
            ...(content !== undefined && { content, contentKey: searchKey(content) }),
            ...(publicationDate !== undefined && { publicationDate }),
            ...(tags !== undefined && { tags }),
          },
          $inc: { version: 1 },
          $max: { updatedAt: now },
        },
        { returnDocument: 'after' },
      );
      return document === null ? null : record(document);
    },
    close: () => client.close(),
  };
}

function record(document: Omit<PostDocument, 'titleKey' | 'contentKey'>): PostRecord {
  return {
    id: document._id.toHexString(),
    authorId: document.authorId.toHexString(),
    title: document.title,
    description: document.description ?? '',
    content: document.content,
    publicationDate: document.publicationDate,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    tags: document.tags,
    version: document.version,
    favoritesCount: Math.max(0, document.favoritesCount ?? 0),
  };
}

function article(document: Omit<PostDocument, 'titleKey' | 'contentKey'>): ArticleRecord {
  return { ...record(document), slugSuffix: document.slugNumber === undefined ? document._id.toHexString() : document.slugNumber.toString(36) };
}
