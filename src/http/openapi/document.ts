import { searchScanLimit } from '../../domain/listing';
import { LoginBody } from '../native/bodies/auth.bodies';
import { CreateCommentBody } from '../native/bodies/comment.bodies';
import { AuthorPostListQuery, CursorQuery, ListQuery, PostListQuery } from '../native/bodies/list.queries';
import { CreatePostBody, UpdatePostBody } from '../native/bodies/post.bodies';
import { ChangePasswordBody, CreateUserBody, DeleteUserBody, UpdateUserBody } from '../native/bodies/user.bodies';
import { idempotencyKeyPattern } from '../idempotency';
import { responseSchemas } from '../native/response-schemas';
import { queryParameters, requestSchema } from './request-schemas';

type Dto = new () => object;
type Responses = Record<string, object>;

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const parameter = (name: string) => ({ $ref: `#/components/parameters/${name}` });

/** Every routed answer carries its request id, and Server-Timing when the service is run with it. */
const everyAnswer = { 'X-Request-Id': header('RequestId'), 'Server-Timing': header('ServerTiming') };

/** What a client reads in the query parameters of a list; the rules themselves come from the query classes. */
const queryDescriptions: Record<string, string> = {
  limit: 'Items per page; 20 when left out.',
  cursor: 'The `nextCursor` of the previous page of this same list (same sort and filters).',
  skip: 'Items to pass over first: the slow path, kept for old clients. Not with `cursor`.',
  count: '`true` adds `total`, the number of items that match.',
  sort: '`-` first is newest, latest or last first; `-publicationDate` when left out. The id breaks ties.',
  publishedAfter: 'Only posts published strictly after this instant.',
  publishedBefore: 'Only posts published strictly before this instant.',
  tag: 'Repeatable: a post must carry every tag named.',
  q: `Found in the title or the content, compared case-folded; every character stands for itself. A page examines at most ${searchScanLimit} posts, so it may hold fewer items than \`limit\`, even none, and still have a \`nextCursor\`: read on until it is null. Not with \`count\` or \`skip\`.`,
  authorId: 'Only the posts of this user.',
};

/** What the docs page fills a body in with; generated from the patterns, it would be noise. */
const bodyExamples: Record<string, object> = {
  LoginBody: { email: 'ada@example.com', password: 'correct horse battery staple' },
  CreateUserBody: {
    email: 'ada@example.com',
    username: 'ada',
    displayName: 'Ada Lovelace',
    bio: 'Wrote the first published program.',
    image: 'https://example.com/ada.png',
    password: 'correct horse battery staple',
  },
  UpdateUserBody: { displayName: 'Augusta Ada King' },
  DeleteUserBody: { currentPassword: 'correct horse battery staple' },
  ChangePasswordBody: { currentPassword: 'correct horse battery staple', newPassword: 'a new and longer passphrase' },
  CreatePostBody: { title: 'Notes', description: 'Notes by the translator', content: 'On the Analytical Engine', publicationDate: '1843-09-01T00:00:00Z', tags: ['history', 'computing'] },
  UpdatePostBody: { title: 'Notes, revised' },
  CreateCommentBody: { content: 'A fine note.' },
};

interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  /** `optional`: answered to anyone, and differently to a signed-in caller (a bad token is still a 401). */
  signedIn?: boolean | 'optional';
  query?: Dto;
  body?: Dto;
  /** Request headers, from components.parameters. */
  headers?: ('IfMatch' | 'IfNoneMatch' | 'IdempotencyKey')[];
  responses: Responses;
}

function operation(tag: string, spec: OperationSpec): object {
  const { signedIn, query, body, headers = [], responses, ...rest } = spec;
  const parameters = [...(query ? queryParameters(query, queryDescriptions) : []), ...headers.map(parameter)];
  return {
    tags: [tag],
    ...rest,
    ...(parameters.length > 0 && { parameters }),
    ...(body && { requestBody: { required: true, content: { 'application/json': { schema: schema(body.name), example: bodyExamples[body.name] } } } }),
    ...(signedIn && { security: signedIn === 'optional' ? [{}, { bearer: [] }] : [{ bearer: [] }] }),
    responses: { ...responses, 500: response('InternalError') },
  };
}

function json(description: string, schemaName: string, headers: Record<string, object> = {}) {
  return { description, headers: { ...everyAnswer, ...headers }, content: { 'application/json': { schema: schema(schemaName) } } };
}

function empty(description: string, headers: Record<string, object> = {}) {
  return { description, headers: { ...everyAnswer, ...headers } };
}

function problem(description: string, headers: Record<string, object> = {}) {
  return { description, headers: { ...everyAnswer, ...headers }, content: { 'application/problem+json': { schema: schema('Problem') } } };
}

/** Answers that many operations share, from components.responses. */
const shared = (...statuses: number[]): Responses => Object.fromEntries(statuses.map((status) => [status, response(sharedResponses[status])]));

const sharedResponses: Record<number, string> = {
  304: 'NotModified',
  308: 'Moved',
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'ContentTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  503: 'StoreUnavailable',
};

const versioned = { ETag: header('ETag') };
const created = { ...versioned, Location: header('Location'), 'Idempotent-Replayed': header('IdempotentReplayed') };
const rateLimited = { RateLimit: header('RateLimit'), 'RateLimit-Policy': header('RateLimitPolicy') };
const retryAfter = { description: 'Seconds to wait before trying again.', schema: { type: 'string', pattern: '^[0-9]+$' } };
/** What every request with a JSON body can be refused for, before its fields are read. */
const bodyErrors = [400, 413, 415];
const expensiveRead = 'A search (`q`), a total (`count=true`) or a `skip` of 1,000 or more is limited per client address (429).';
const writes = 'Limited per signed-in user, with the other writes of posts and users (429).';
/** The answers of routes whose user views carry `following` for a signed-in caller. */
const perCaller = { Vary: header('VaryAuthorization') };
const followingFlag = 'Signed in, each user carries `following`; the answer varies by `Authorization`, and a bad token is a 401.';
const favoritedFlag = 'Signed in, each post carries `favorited`; the answer varies by `Authorization`, and a bad token is a 401.';
const postTag =
  'Its ETag names the version and the favorites count (`"3-f12"`), and, signed in, the `favorited` flag (`"3-f12-favorited"`, `"3-f12-not-favorited"`), so it changes with the bytes; `If-Match` takes it as version 3.';
const followList = (side: string) =>
  `${followingFlag} Newest follow first, ties by the other user's id, descending; \`limit\` and \`cursor\` only. ${side}`;

const paths = () => ({
  '/auth/login': {
    post: operation('auth', {
      operationId: 'logIn',
      summary: 'Log in: trade an email and password for a bearer token',
      description: 'Limited per client address, and failed attempts per email from all addresses (429).',
      body: LoginBody,
      responses: {
        200: json('The token and the user it signs in.', 'Login', {
          ...rateLimited,
          'Cache-Control': { required: true, schema: { const: 'no-store' } },
        }),
        ...shared(...bodyErrors, 401, 429, 503),
      },
    }),
  },
  '/auth/logout': {
    post: operation('auth', {
      operationId: 'logOut',
      summary: 'Log out: revoke the bearer token of this request',
      signedIn: true,
      responses: { 204: empty('The token no longer works.'), ...shared(401, 503) },
    }),
  },
  '/users': {
    get: operation('users', {
      operationId: 'listUsers',
      summary: 'List users, oldest first',
      description: `${expensiveRead} ${followingFlag}`,
      signedIn: 'optional',
      query: ListQuery,
      responses: { 200: json('A page of users.', 'UserPage', { ...rateLimited, ...perCaller }), ...shared(400, 401, 429, 503) },
    }),
    post: operation('users', {
      operationId: 'signUp',
      summary: 'Sign up',
      description: 'Limited per client address (429). With `Idempotency-Key`, a retry answers the first response again.',
      body: CreateUserBody,
      headers: ['IdempotencyKey'],
      responses: { 201: json('The new user.', 'OwnUser', { ...created, ...rateLimited }), ...shared(...bodyErrors, 409, 422, 429, 503) },
    }),
  },
  '/users/me': {
    get: operation('users', {
      operationId: 'getMe',
      summary: 'The signed-in user, with their email',
      signedIn: true,
      headers: ['IfNoneMatch'],
      responses: { 200: json('The caller.', 'OwnUser', versioned), ...shared(304, 401, 503) },
    }),
  },
  '/users/me/password': {
    post: operation('users', {
      operationId: 'changePassword',
      summary: 'Change your password; every other session ends',
      description: 'The token of this request stays valid; every other token of the account is revoked. Each check counts against the account (429).',
      signedIn: true,
      body: ChangePasswordBody,
      responses: { 204: empty('Changed.', rateLimited), ...shared(...bodyErrors, 401, 403, 429, 503) },
    }),
  },
  '/users/me/sessions': {
    delete: operation('users', {
      operationId: 'endSessions',
      summary: 'Log out everywhere: end every session of the account, this one too',
      signedIn: true,
      responses: { 204: empty('Every token of the account is revoked.'), ...shared(401, 503) },
    }),
  },
  '/users/{id}': {
    parameters: [parameter('Id')],
    get: operation('users', {
      operationId: 'getUser',
      summary: 'A user',
      description: `${followingFlag} The ETag of a signed-in answer names the flag too (\`"3-following"\`, \`"3-not-following"\`), so it changes with the bytes; \`If-Match\` takes it as version 3.`,
      signedIn: 'optional',
      headers: ['IfNoneMatch'],
      responses: { 200: json('The user, without their email.', 'PublicUser', { ...versioned, ...perCaller }), ...shared(308, 304, 400, 401, 404, 503) },
    }),
    patch: operation('users', {
      operationId: 'updateUser',
      summary: 'Change your own profile',
      description:
        '`image: null` removes the image. A change of `email` needs `currentPassword` (403 when wrong), and counts against the sign-up limit of the client address; ' +
        `each password check counts against the account (429). A conflict names \`username\` before \`email\`. ${writes}`,
      signedIn: true,
      body: UpdateUserBody,
      headers: ['IfMatch'],
      responses: { 200: json('The changed user.', 'OwnUser', { ...versioned, ...rateLimited }), ...shared(...bodyErrors, 401, 403, 404, 409, 412, 429, 503) },
    }),
    delete: operation('users', {
      operationId: 'deleteUser',
      summary: 'Delete yourself, with your posts and their comments and favorites, your comments, favorites, follows, sessions and kept idempotent answers',
      description: `Needs \`currentPassword\` in the body (403 when wrong); each check counts against the account (429). ${writes}`,
      signedIn: true,
      body: DeleteUserBody,
      headers: ['IfMatch'],
      responses: { 204: empty('Deleted.', rateLimited), ...shared(...bodyErrors, 401, 403, 404, 412, 429, 503) },
    }),
  },
  '/users/me/following/{userId}': {
    parameters: [parameter('UserId')],
    put: operation('follows', {
      operationId: 'follow',
      summary: 'Follow a user',
      description: `Idempotent: following someone already followed is a 204 too. ${writes}`,
      signedIn: true,
      responses: {
        204: empty('The caller follows the user.', rateLimited),
        ...shared(401, 404, 429, 503),
        422: problem('A user cannot follow themselves.'),
      },
    }),
    delete: operation('follows', {
      operationId: 'unfollow',
      summary: 'Stop following a user',
      description: `Idempotent: unfollowing someone not followed is a 204 too. ${writes}`,
      signedIn: true,
      responses: {
        204: empty('The caller does not follow the user.', rateLimited),
        ...shared(401, 404, 429, 503),
        422: problem('A user cannot follow themselves.'),
      },
    }),
  },
  '/users/{id}/followers': {
    parameters: [parameter('Id')],
    get: operation('follows', {
      operationId: 'listFollowers',
      summary: 'The users who follow a user',
      description: followList('Each user is a follower.'),
      signedIn: 'optional',
      query: CursorQuery,
      responses: { 200: json('A page of users.', 'UserPage', perCaller), ...shared(308, 400, 401, 404, 503) },
    }),
  },
  '/users/{id}/following': {
    parameters: [parameter('Id')],
    get: operation('follows', {
      operationId: 'listFollowing',
      summary: 'The users a user follows',
      description: followList('Each user is one this user follows.'),
      signedIn: 'optional',
      query: CursorQuery,
      responses: { 200: json('A page of users.', 'UserPage', perCaller), ...shared(308, 400, 401, 404, 503) },
    }),
  },
  '/users/me/favorites/{postId}': {
    parameters: [parameter('PostId')],
    put: operation('favorites', {
      operationId: 'favorite',
      summary: 'Favorite a post',
      description: `Idempotent: favoriting a post already favorited is a 204 too. The post's version and updatedAt stay. ${writes}`,
      signedIn: true,
      responses: { 204: empty('The caller favorites the post.', rateLimited), ...shared(401, 404, 429, 503) },
    }),
    delete: operation('favorites', {
      operationId: 'unfavorite',
      summary: 'Stop favoriting a post',
      description: `Idempotent: unfavoriting a post not favorited is a 204 too. ${writes}`,
      signedIn: true,
      responses: { 204: empty('The caller does not favorite the post.', rateLimited), ...shared(401, 404, 429, 503) },
    }),
  },
  '/users/{id}/favorites': {
    parameters: [parameter('Id')],
    get: operation('favorites', {
      operationId: 'listFavorites',
      summary: 'The posts a user favorites',
      description: `${favoritedFlag} Most recently favorited first, ties by the post's id, descending; \`limit\` and \`cursor\` only.`,
      signedIn: 'optional',
      query: CursorQuery,
      responses: { 200: json('A page of posts.', 'PostPage', perCaller), ...shared(308, 400, 401, 404, 503) },
    }),
  },
  '/users/{id}/posts': {
    parameters: [parameter('Id')],
    get: operation('posts', {
      operationId: 'listUserPosts',
      summary: 'List the posts of one author',
      description: `${expensiveRead} ${favoritedFlag}`,
      signedIn: 'optional',
      query: AuthorPostListQuery,
      responses: { 200: json('A page of posts.', 'PostPage', { ...rateLimited, ...perCaller }), ...shared(308, 400, 401, 404, 429, 503) },
    }),
  },
  '/posts': {
    get: operation('posts', {
      operationId: 'listPosts',
      summary: 'List posts',
      description: `${expensiveRead} ${favoritedFlag} \`favoritedBy\` keeps the posts that user favorites; an unknown user favorites none.`,
      signedIn: 'optional',
      query: PostListQuery,
      responses: { 200: json('A page of posts.', 'PostPage', { ...rateLimited, ...perCaller }), ...shared(400, 401, 429, 503) },
    }),
    post: operation('posts', {
      operationId: 'createPost',
      summary: 'Write a post, as its author',
      description: `${writes} With \`Idempotency-Key\`, a retry answers the first response again.`,
      signedIn: true,
      body: CreatePostBody,
      headers: ['IdempotencyKey'],
      responses: { 201: json(`The new post, as written: without \`favorited\`. ${postTag}`, 'Post', { ...created, ...rateLimited }), ...shared(...bodyErrors, 401, 409, 422, 429, 503) },
    }),
  },
  '/feed': {
    get: operation('posts', {
      operationId: 'listFeed',
      summary: 'The posts of the users you follow',
      description: `Sorted, filtered and paged as \`GET /posts\`; a cursor belongs to the caller's own feed. Following nobody, an empty page. Each post carries \`favorited\`. The answer varies by \`Authorization\`. ${expensiveRead}`,
      signedIn: true,
      query: PostListQuery,
      responses: { 200: json('A page of posts.', 'PostPage', { ...rateLimited, ...perCaller }), ...shared(400, 401, 429, 503) },
    }),
  },
  '/posts/{id}': {
    parameters: [parameter('Id')],
    get: operation('posts', {
      operationId: 'getPost',
      summary: 'A post',
      description: `${favoritedFlag} ${postTag}`,
      signedIn: 'optional',
      headers: ['IfNoneMatch'],
      responses: { 200: json('The post.', 'Post', { ...versioned, ...perCaller }), ...shared(308, 304, 400, 401, 404, 503) },
    }),
    patch: operation('posts', {
      operationId: 'updatePost',
      summary: 'Change a post, as its author',
      description: `${writes} ${postTag}`,
      signedIn: true,
      body: UpdatePostBody,
      headers: ['IfMatch'],
      responses: { 200: json('The changed post.', 'Post', { ...versioned, ...rateLimited }), ...shared(...bodyErrors, 401, 403, 404, 412, 429, 503) },
    }),
    delete: operation('posts', {
      operationId: 'deletePost',
      summary: 'Delete a post, as its author',
      description: `Its comments and favorites go with it. ${writes}`,
      signedIn: true,
      headers: ['IfMatch'],
      responses: { 204: empty('Deleted.', rateLimited), ...shared(400, 401, 403, 404, 412, 429, 503) },
    }),
  },
  '/posts/{id}/comments': {
    parameters: [parameter('Id')],
    get: operation('comments', {
      operationId: 'listComments',
      summary: "List a post's comments, oldest first, each with its author",
      query: CursorQuery,
      responses: { 200: json('A page of comments.', 'CommentPage'), ...shared(308, 400, 404, 503) },
    }),
    post: operation('comments', {
      operationId: 'createComment',
      summary: 'Comment on a post, as its author',
      description: `${writes} With \`Idempotency-Key\`, a retry on the same post answers the first response again.`,
      signedIn: true,
      body: CreateCommentBody,
      headers: ['IdempotencyKey'],
      responses: {
        201: json('The new comment.', 'Comment', { Location: header('Location'), 'Idempotent-Replayed': header('IdempotentReplayed'), ...rateLimited }),
        ...shared(...bodyErrors, 401, 404, 409, 422, 429, 503),
      },
    }),
  },
  '/posts/{id}/comments/{commentId}': {
    parameters: [parameter('Id'), parameter('CommentId')],
    get: operation('comments', {
      operationId: 'getComment',
      summary: 'A comment of this post, with its author',
      responses: { 200: json('The comment.', 'Comment'), ...shared(308, 404, 503) },
    }),
    delete: operation('comments', {
      operationId: 'deleteComment',
      summary: "Delete a comment, as its author or the post's author",
      description: writes,
      signedIn: true,
      responses: { 204: empty('Deleted.', rateLimited), ...shared(401, 403, 404, 429, 503) },
    }),
  },
  '/tags': {
    get: operation('tags', {
      operationId: 'listTags',
      summary: 'The tags in use, most used first',
      description: 'Limited per client address like the other lists when it asks for a total or a `skip` of 1,000 or more (429).',
      query: ListQuery,
      responses: { 200: json('A page of tags and how many posts carry each.', 'TagPage', rateLimited), ...shared(400, 429, 503) },
    }),
  },
  '/healthz': {
    get: operation('operations', {
      operationId: 'getHealth',
      summary: 'Liveness: the process answers, whatever its store does',
      responses: { 200: json('Alive.', 'Health') },
    }),
  },
  '/readyz': {
    get: operation('operations', {
      operationId: 'getReadiness',
      summary: 'Readiness: the store answers a ping within 2 s, and the service is not stopping',
      responses: {
        200: json('Ready, on this kind of store.', 'Readiness'),
        503: problem('The store did not answer (with Retry-After), or the service is stopping.', { 'Retry-After': retryAfter }),
      },
    }),
  },
  '/metrics': {
    get: {
      ...operation('operations', {
        operationId: 'getMetrics',
        summary: 'Metrics in the Prometheus text format',
        description: 'Needs the bearer token only when the service is configured with one.',
        responses: {
          200: { description: 'Requests by route template, method and status; latencies; store operations; the process.', headers: everyAnswer, content: { 'text/plain': { schema: { type: 'string' } } } },
          ...shared(401),
        },
      }),
      security: [{}, { bearer: [] }],
    },
  },
  '/openapi.json': {
    get: operation('meta', {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1.', headers: everyAnswer, content: { 'application/json': { schema: { type: 'object' } } } } },
    }),
  },
});

/** The response headers; the Conduit document (conduit.openapi.ts) names the ones its answers share. */
export const responseHeaders = {
  RequestId: {
    description: "The id of this request's log line: the caller's own X-Request-Id when it is 1 to 128 letters, digits or `_.:-`.",
    required: true,
    schema: { type: 'string' },
  },
  ServerTiming: {
    description:
      'Only when the service runs with `SERVER_TIMING=true`: how long the store took (the time during which a statement or command was in flight), how many operations the request sent, and the rest of its time until its headers, in milliseconds.',
    required: false,
    schema: { type: 'string', pattern: '^store;dur=[0-9]+(\\.[0-9]+)?;desc="[0-9]+ operations", app;dur=[0-9]+(\\.[0-9]+)?$' },
  },
  ETag: {
    description:
      'The version, as a strong entity tag such as `"3"`; a signed-in view of a user names its `following` flag too, `"3-following"` or `"3-not-following"`; a post names its favorites count, `"3-f12"`, and, signed in, its `favorited` flag, `"3-f12-favorited"` or `"3-f12-not-favorited"`.',
    required: true,
    schema: { type: 'string', pattern: '^"[1-9][0-9]*(-following|-not-following|-f[0-9]+(-favorited|-not-favorited)?)?"$' },
  },
  VaryAuthorization: { description: 'The answer depends on who asks.', required: true, schema: { type: 'string', pattern: '(^|, *)Authorization(,|$)' } },
  Location: { description: 'The path of the new resource.', required: true, schema: { type: 'string' } },
  IdempotentReplayed: { description: '`true` when this answers an earlier request with the same Idempotency-Key.', schema: { const: 'true' } },
  RetryAfter: { ...retryAfter, required: true },
  WwwAuthenticate: { description: 'The Bearer challenge (RFC 6750), with an `error` when a token was refused.', required: true, schema: { type: 'string' } },
  Allow: { description: 'The methods the path answers.', required: true, schema: { type: 'string' } },
  RateLimit: { description: 'What is left of the limit in this window (IETF draft-8).', schema: { type: 'string' } },
  RateLimitPolicy: { description: 'The limit and its window (IETF draft-8).', schema: { type: 'string' } },
};

const components = () => ({
  schemas: {
    ...Object.fromEntries(
      [LoginBody, CreateUserBody, UpdateUserBody, DeleteUserBody, ChangePasswordBody, CreatePostBody, UpdatePostBody, CreateCommentBody].map((type) => [type.name, requestSchema(type)]),
    ),
    ...responseSchemas,
  },
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer', description: 'The `accessToken` of `POST /auth/login`.' },
  },
  parameters: {
    Id: { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    CommentId: { name: 'commentId', in: 'path', required: true, schema: { type: 'string' } },
    UserId: { name: 'userId', in: 'path', required: true, description: 'The user to follow or stop following.', schema: { type: 'string' } },
    PostId: { name: 'postId', in: 'path', required: true, description: 'The post to favorite or stop favoriting.', schema: { type: 'string' } },
    IfMatch: {
      name: 'If-Match',
      in: 'header',
      description: 'Change only this version: the ETag read last, such as `"3"` (412 when it is no longer current).',
      schema: { type: 'string' },
    },
    IfNoneMatch: { name: 'If-None-Match', in: 'header', description: 'The ETag held: 304 while it is current.', schema: { type: 'string' } },
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      description: 'A key of your own for this create: a retry with the same key and body answers the first response again, for 24 h.',
      schema: { type: 'string', pattern: idempotencyKeyPattern.source },
    },
  },
  headers: responseHeaders,
  responses: {
    NotModified: { description: 'The version named in If-None-Match is current.', headers: { ...everyAnswer, ...versioned } },
    Moved: {
      description: 'The id is the one a record had in the store it was copied from (`npm run copy` between SQL and MongoDB): `Location` is the same path under its id here.',
      headers: { ...everyAnswer, Location: header('Location') },
    },
    BadRequest: problem(
      'The request is malformed; `errors` names the bad fields, parameters or headers (the first 10), the field of a body nested over 8 levels deep, or a body of over 100 fields.',
    ),
    Unauthorized: problem('No bearer token, or one that is unknown, expired or revoked; or a wrong email or password.', {
      'WWW-Authenticate': header('WwwAuthenticate'),
    }),
    Forbidden: problem("Only its owner may do this (a comment: its author or the post's author); or `currentPassword` is not the password of the account."),
    NotFound: problem('No such record.'),
    MethodNotAllowed: problem('Any method not documented for a path.', { Allow: header('Allow') }),
    Conflict: problem('Taken (`errors` names the field), or a request with the same Idempotency-Key is still in progress (with Retry-After).', {
      'Retry-After': retryAfter,
    }),
    PreconditionFailed: problem('If-Match names a version that is no longer current: read it again.'),
    ContentTooLarge: problem("The body is over its route's limit once decompressed: 64 KB for sign-ups and profile changes, 16 KB for logins, password changes and account deletions, 128 KB for comments, 1 MB for posts."),
    UnsupportedMediaType: problem('The body is not `application/json` (a `+json` type neither), or not UTF-8.'),
    UnprocessableContent: problem('The Idempotency-Key was used with another body, or the author no longer exists.'),
    TooManyRequests: problem('Over a rate limit: wait the seconds of Retry-After.', { 'Retry-After': header('RetryAfter'), ...rateLimited }),
    StoreUnavailable: problem(
      'The store does not answer, or took longer than STATEMENT_TIMEOUT_MS; or, where a password is hashed, too many password checks are in progress.',
      { 'Retry-After': header('RetryAfter') },
    ),
    InternalError: problem('The server could not complete the request; its log line, found by X-Request-Id, says why.'),
  },
});

const description = `One blog API over relational and document stores.

- Errors are RFC 9457 \`application/problem+json\` documents. A documented path answers any other method with 405 and \`Allow\`.
- Records carry a version: their \`ETag\`. Send it in \`If-Match\` to change or delete only the version you read.
- Creates take an \`Idempotency-Key\`, so that a retry never makes a second record.
- Every answer carries \`X-Request-Id\`, the id of its log line, and, when the service runs with \`SERVER_TIMING=true\`, \`Server-Timing\`: the store's time and operations, and the app's own time.`;

let built: object | undefined;

/** The OpenAPI 3.1 document of the API, built once from the DTO classes and the response schemas. */
export function openApiDocument(): object {
  built ??= {
    openapi: '3.1.0',
    info: { title: 'dualstore', version: '1.0.0', description, license: { name: 'MIT', identifier: 'MIT' } },
    tags: [
      { name: 'auth', description: 'Tokens' },
      { name: 'users', description: 'Accounts and profiles' },
      { name: 'follows', description: 'Who follows whom' },
      { name: 'favorites', description: 'Which posts each user favorites' },
      { name: 'posts', description: 'Posts, their lists, sorts and filters' },
      { name: 'comments', description: 'Comments on posts, oldest first' },
      { name: 'tags', description: 'Tags in use' },
      { name: 'operations', description: 'Probes and metrics' },
      { name: 'meta', description: 'This document' },
    ],
    paths: paths(),
    components: components(),
  };
  return built;
}
