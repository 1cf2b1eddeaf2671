import { maxTagLength } from '../../domain/tags';
import { maxSkip } from '../native/bodies/list.queries';
import { idempotencyKeyPattern } from '../idempotency';
import { responseHeaders } from '../openapi/document';
import { deepSkip } from '../rate-limits';
import { type JsonSchema, queryParameters, requestSchema } from '../openapi/request-schemas';
import {
  ConduitArticleChanges,
  ConduitArticleQuery,
  ConduitLogin,
  ConduitNewArticle,
  ConduitNewComment,
  ConduitPageQuery,
  ConduitRegistration,
  ConduitUserChanges,
  conduitCommentsShown,
  conduitTagsShown,
} from './conduit.bodies';

/*
 * The Conduit ("RealWorld") API's own document, generated as the native one is (openapi/document.ts): the
 * request schemas come from the body and query classes of conduit.bodies.ts, the response schemas say what
 * conduit.presenters.ts and conduit.errors.ts send, closed, so that the HTTP suite's check of every answer
 * (test/support/openapi-check.ts) catches a field added, dropped or retyped on either side.
 */

type Dto = new () => object;
type Responses = Record<string, object>;

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const parameter = (name: string) => ({ $ref: `#/components/parameters/${name}` });

/** Every answer carries its request id, and Server-Timing when the service is run with it. */
const everyAnswer = { 'X-Request-Id': header('RequestId'), 'Server-Timing': header('ServerTiming') };
const rateLimited = { RateLimit: header('RateLimit'), 'RateLimit-Policy': header('RateLimitPolicy') };
const perCaller = { Vary: header('VaryAuthorization') };
const noStore = { 'Cache-Control': header('NoStore') };

/** Each body as Conduit names it, and the field of the request body that wraps it. */
const bodies = {
  LoginUser: { type: ConduitLogin, wrapper: 'user' },
  NewUser: { type: ConduitRegistration, wrapper: 'user' },
  UpdateUser: { type: ConduitUserChanges, wrapper: 'user' },
  NewArticle: { type: ConduitNewArticle, wrapper: 'article' },
  UpdateArticle: { type: ConduitArticleChanges, wrapper: 'article' },
  NewComment: { type: ConduitNewComment, wrapper: 'comment' },
} satisfies Record<string, { type: Dto; wrapper: string }>;
type BodyName = keyof typeof bodies;

/** What the docs page fills a body in with. */
const bodyExamples: Record<BodyName, object> = {
  LoginUser: { email: 'ada@example.com', password: 'correct horse battery staple' },
  NewUser: { email: 'ada@example.com', username: 'ada', password: 'correct horse battery staple' },
  UpdateUser: { bio: 'Wrote the first published program.', image: 'https://example.com/ada.png' },
  NewArticle: { title: 'Notes', description: 'Notes by the translator', body: 'On the Analytical Engine', tagList: ['history', 'computing'] },
  UpdateArticle: { title: 'Notes, revised' },
  NewComment: { body: 'A fine note.' },
};

/** Fields the router drops rather than refuses (conduit.router.ts, `wrapped`): Conduit clients send whole records back. */
const dropped = 'Fields not listed here are dropped, not refused.';

/** A body class's schema, unknown fields dropped; `UpdateUser` with the values a settings form sends for "no change". */
function bodySchema(name: BodyName): JsonSchema {
  const built: JsonSchema = { ...requestSchema(bodies[name].type, { unknownFields: 'drop' }), description: dropped };
  if (name !== 'UpdateUser') return built;
  const properties = built.properties as Record<string, JsonSchema>;
  const or = (field: string, value: JsonSchema, meaning: string) => ({ anyOf: [properties[field], value], description: meaning });
  return {
    ...built,
    description:
      `${dropped} A settings form sends every field back: \`"password": ""\` is no new password, the caller's own email no new email, ` +
      '`"image": ""` no image and `"bio": null` an empty bio. A new email or password needs `currentPassword`, the password of the account (422 when missing or wrong).',
    properties: {
      ...properties,
      password: or('password', { const: '' }, 'A new password; `""` leaves it unchanged.'),
      image: or('image', { const: '' }, 'An absolute http or https URL; `null` or `""` removes it.'),
      bio: or('bio', { type: 'null' }, '`null` is an empty bio.'),
      currentPassword: { ...properties.currentPassword, description: 'The password of the account: needed for a new email or password.' },
    },
  };
}

/** The body as sent: `{"<wrapper>": {...}}`; other fields beside the wrapper are not read. */
function wrapperSchema(name: BodyName): JsonSchema {
  const { wrapper } = bodies[name];
  return { type: 'object', required: [wrapper], properties: { [wrapper]: schema(name) } };
}

const queryDescriptions: Record<string, string> = {
  limit: 'Articles per page; 20 when left out.',
  offset: `Articles to pass over first, at most ${maxSkip.toLocaleString('en')}; ${deepSkip.toLocaleString('en')} or more is limited per client address (429).`,
  tag: `Only the articles carrying this tag, compared trimmed and lower-cased (1 to ${maxTagLength} characters).`,
  author: 'Only the articles of the user of this username; an unknown username, an empty page.',
  favorited: 'Only the articles the user of this username favorites; an unknown username, an empty page.',
};

interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  /** `optional`: answered to anyone, and differently to a signed-in caller (a bad token is still a 401). */
  signedIn?: boolean | 'optional';
  query?: Dto;
  body?: BodyName;
  /** Takes Idempotency-Key. */
  idempotent?: boolean;
  responses: Responses;
}

function operation(tag: string, spec: OperationSpec): object {
  const { signedIn, query, body, idempotent, responses, ...rest } = spec;
  const parameters = [...(query ? queryParameters(query, queryDescriptions) : []), ...(idempotent ? [parameter('IdempotencyKey')] : [])];
  // A retry whose key's first request is still running is told to wait, not to correct itself.
  const inProgress = idempotent ? { 409: response('IdempotencyKeyInProgress') } : {};
  const token = [{ Token: [] }, { bearer: [] }];
  return {
    tags: [tag],
    ...rest,
    ...(parameters.length > 0 && { parameters }),
    ...(body && { requestBody: { required: true, content: { 'application/json': { schema: schema(`${body}Request`), example: { [bodies[body].wrapper]: bodyExamples[body] } } } } }),
    ...(signedIn && { security: signedIn === 'optional' ? [{}, ...token] : token }),
    responses: { ...responses, ...inProgress, 500: response('InternalError') },
  };
}

function json(description: string, schemaName: string, headers: Record<string, object> = {}) {
  return { description, headers: { ...everyAnswer, ...headers }, content: { 'application/json': { schema: schema(schemaName) } } };
}

function problem(description: string, headers: Record<string, object> = {}) {
  return { description, headers: { ...everyAnswer, ...headers }, content: { 'application/problem+json': { schema: schema('Problem') } } };
}

/** DELETE answers 200 without a body, as Conduit clients expect. */
const deleted = (description: string) => ({ description, headers: { ...everyAnswer, ...rateLimited } });

/** Answers that many operations share, from components.responses. */
const shared = (...statuses: number[]): Responses => Object.fromEntries(statuses.map((status) => [status, response(sharedResponses[status])]));

const sharedResponses: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  413: 'ContentTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  503: 'StoreUnavailable',
};

/** What every request with a JSON body can be refused for, before its fields are read (a malformed one is a 422). */
const bodyErrors = [413, 415, 422];
const writes = 'Limited per signed-in user, with the other writes (429).';
const followingFlag = 'Signed in, each profile carries `following`; the answer varies by `Authorization`, and a bad token is a 401.';
const listed = `Newest first, without \`body\`; \`articlesCount\` counts every article that matches.`;
const badPath = 'A path parameter that is not valid percent-encoding is a 422.';

const paths = () => ({
  '/users/login': {
    post: operation('users', {
      operationId: 'login',
      summary: 'Log in: trade an email and password for the user and a token',
      description: `One answer, 401, for a wrong email and a wrong password. Limited per client address, and failed attempts per email from all addresses (429). ${dropped}`,
      body: 'LoginUser',
      responses: { 200: json('The user, with the token of a new session.', 'UserResponse', { ...noStore, ...rateLimited }), ...shared(...bodyErrors, 401, 429, 503) },
    }),
  },
  '/users': {
    post: operation('users', {
      operationId: 'createUser',
      summary: 'Sign up, and log in at once',
      description:
        'Limited per client address (429). A taken email or username is a 422 naming it. `displayName`, a field of this service, is the username when left out. ' +
        'Takes no `Idempotency-Key` (422): its answer carries a session token, which a kept answer would hand to whoever repeats the key.',
      body: 'NewUser',
      responses: {
        201: json('The new user, with the token of their first session.', 'UserResponse', { ...noStore, ...rateLimited }),
        ...shared(...bodyErrors, 429, 503),
        404: problem('The user was deleted before their first session could open.'),
      },
    }),
  },
  '/user': {
    get: operation('users', {
      operationId: 'getCurrentUser',
      summary: 'The signed-in user, with the token of this request',
      signedIn: true,
      responses: { 200: json('The caller.', 'UserResponse', noStore), ...shared(401, 503) },
    }),
    put: operation('users', {
      operationId: 'updateCurrentUser',
      summary: 'Change your own account',
      description:
        'A settings form may send every field back: `"password": ""` is no change, nor is the current email; `"image": ""` removes the image and `"bio": null` empties the bio. ' +
        'A new email or password needs `currentPassword` (422 when missing or wrong); a new email counts against the sign-up limit of the client address, and each password check against the account (429). ' +
        `A new password ends every other session. A taken email or username is a 422 naming it. ${writes}`,
      signedIn: true,
      body: 'UpdateUser',
      responses: {
        200: json('The changed user, with the token of this request.', 'UserResponse', { ...noStore, ...rateLimited }),
        ...shared(...bodyErrors, 401, 429, 503),
        404: problem('The user was deleted meanwhile.'),
      },
    }),
  },
  '/profiles/{username}': {
    parameters: [parameter('Username')],
    get: operation('profiles', {
      operationId: 'getProfileByUsername',
      summary: 'A profile',
      description: `${followingFlag} ${badPath}`,
      signedIn: 'optional',
      responses: { 200: json('The profile.', 'ProfileResponse', perCaller), ...shared(401, 404, 422, 503) },
    }),
  },
  '/profiles/{username}/follow': {
    parameters: [parameter('Username')],
    post: operation('profiles', {
      operationId: 'followUserByUsername',
      summary: 'Follow a user',
      description: `Idempotent. Following yourself is a 422. ${writes}`,
      signedIn: true,
      responses: { 200: json('The profile, followed.', 'ProfileResponse', rateLimited), ...shared(401, 404, 422, 429, 503) },
    }),
    delete: operation('profiles', {
      operationId: 'unfollowUserByUsername',
      summary: 'Stop following a user',
      description: `Idempotent. Unfollowing yourself is a 422. ${writes}`,
      signedIn: true,
      responses: { 200: json('The profile, not followed.', 'ProfileResponse', rateLimited), ...shared(401, 404, 422, 429, 503) },
    }),
  },
  '/articles': {
    get: operation('articles', {
      operationId: 'getArticles',
      summary: 'List articles',
      description: `${listed} Filters by tag, author and favoriting user. Signed in, each article carries \`favorited\` and its author \`following\`; the answer varies by \`Authorization\`, and a bad token is a 401.`,
      signedIn: 'optional',
      query: ConduitArticleQuery,
      responses: { 200: json('A page of articles, and how many match.', 'MultipleArticlesResponse', { ...perCaller, ...rateLimited }), ...shared(401, 422, 429, 503) },
    }),
    post: operation('articles', {
      operationId: 'createArticle',
      summary: 'Write an article, as its author',
      description: `${writes} With \`Idempotency-Key\`, a retry answers the first response again.`,
      signedIn: true,
      body: 'NewArticle',
      idempotent: true,
      responses: {
        201: json('The new article.', 'SingleArticleResponse', { 'Idempotent-Replayed': header('IdempotentReplayed'), ...rateLimited }),
        ...shared(...bodyErrors, 401, 429, 503),
      },
    }),
  },
  '/articles/feed': {
    get: operation('articles', {
      operationId: 'getArticlesFeed',
      summary: 'The articles of the users you follow',
      description: `${listed} The answer varies by \`Authorization\`.`,
      signedIn: true,
      query: ConduitPageQuery,
      responses: { 200: json('A page of articles, and how many match.', 'MultipleArticlesResponse', { ...perCaller, ...rateLimited }), ...shared(401, 422, 429, 503) },
    }),
  },
  '/articles/{slug}': {
    parameters: [parameter('Slug')],
    get: operation('articles', {
      operationId: 'getArticle',
      summary: 'An article',
      description: `Signed in, it carries \`favorited\` and its author \`following\`; the answer varies by \`Authorization\`, and a bad token is a 401. ${badPath}`,
      signedIn: 'optional',
      responses: { 200: json('The article.', 'SingleArticleResponse', perCaller), ...shared(401, 404, 422, 503) },
    }),
    put: operation('articles', {
      operationId: 'updateArticle',
      summary: 'Change an article, as its author',
      description: `\`tagList\` replaces the tags; \`slug\`, \`author\` and the other fields an editor sends back are dropped. ${writes}`,
      signedIn: true,
      body: 'UpdateArticle',
      responses: { 200: json('The changed article.', 'SingleArticleResponse', rateLimited), ...shared(...bodyErrors, 401, 403, 404, 429, 503) },
    }),
    delete: operation('articles', {
      operationId: 'deleteArticle',
      summary: 'Delete an article, as its author',
      description: `Its comments and favorites go with it. ${writes} ${badPath}`,
      signedIn: true,
      responses: { 200: deleted('Deleted; no content.'), ...shared(401, 403, 404, 422, 429, 503) },
    }),
  },
  '/articles/{slug}/favorite': {
    parameters: [parameter('Slug')],
    post: operation('favorites', {
      operationId: 'createArticleFavorite',
      summary: 'Favorite an article',
      description: `Idempotent. ${writes} ${badPath}`,
      signedIn: true,
      responses: { 200: json('The article, favorited.', 'SingleArticleResponse', rateLimited), ...shared(401, 404, 422, 429, 503) },
    }),
    delete: operation('favorites', {
      operationId: 'deleteArticleFavorite',
      summary: 'Stop favoriting an article',
      description: `Idempotent. ${writes} ${badPath}`,
      signedIn: true,
      responses: { 200: json('The article, not favorited.', 'SingleArticleResponse', rateLimited), ...shared(401, 404, 422, 429, 503) },
    }),
  },
  '/articles/{slug}/comments': {
    parameters: [parameter('Slug')],
    get: operation('comments', {
      operationId: 'getArticleComments',
      summary: "An article's comments, newest first",
      description: `At most the newest ${conduitCommentsShown}. Signed in, each author carries \`following\`; the answer varies by \`Authorization\`, and a bad token is a 401. ${badPath}`,
      signedIn: 'optional',
      responses: { 200: json('The comments.', 'MultipleCommentsResponse', perCaller), ...shared(401, 404, 422, 503) },
    }),
    post: operation('comments', {
      operationId: 'createArticleComment',
      summary: 'Comment on an article',
      description: `Answers 200, as Conduit has it. ${writes} With \`Idempotency-Key\`, a retry on the same article answers the first response again.`,
      signedIn: true,
      body: 'NewComment',
      idempotent: true,
      responses: {
        200: json('The new comment.', 'SingleCommentResponse', { 'Idempotent-Replayed': header('IdempotentReplayed'), ...rateLimited }),
        ...shared(...bodyErrors, 401, 404, 429, 503),
      },
    }),
  },
  '/articles/{slug}/comments/{id}': {
    parameters: [parameter('Slug'), parameter('CommentId')],
    delete: operation('comments', {
      operationId: 'deleteArticleComment',
      summary: 'Delete a comment, as its author',
      description: `An id that is no comment's of this article is a 404. ${writes} ${badPath}`,
      signedIn: true,
      responses: { 200: deleted('Deleted; no content.'), ...shared(401, 403, 404, 422, 429, 503) },
    }),
  },
  '/tags': {
    get: operation('tags', {
      operationId: 'getTags',
      summary: 'The tags in use, most used first',
      description: `At most the ${conduitTagsShown} most used.`,
      responses: { 200: json('The tags.', 'TagsResponse'), ...shared(503) },
    }),
  },
  '/openapi.json': {
    get: operation('meta', {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      responses: { 200: { description: 'OpenAPI 3.1.', headers: everyAnswer, content: { 'application/json': { schema: { type: 'object' } } } } },
    }),
  },
});

/** Instants are served in UTC with milliseconds (toISOString). */
const instant = { type: 'string', format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$', examples: ['2025-01-31T09:30:00.000Z'] };
const text = { type: 'string' };
const bio = { type: 'string', description: 'Empty when the user has said nothing.' };
const image = { type: ['string', 'null'], description: 'An absolute http or https URL, or null when there is none.' };

/** A closed object: every field required unless `optional`, no other field. */
function record(properties: Record<string, object>, optional: string[] = []) {
  return { type: 'object', properties, required: Object.keys(properties).filter((name) => !optional.includes(name)), additionalProperties: false };
}

const listedArticle = {
  slug: { type: 'string', minLength: 1 },
  title: text,
  description: { type: 'string', description: 'Empty when its author gave none.' },
  tagList: { type: 'array', items: text, description: 'Normalized (trimmed, lower-cased), distinct, in code-point order.' },
  createdAt: instant,
  updatedAt: instant,
  favorited: { type: 'boolean', description: 'Whether the caller favorites it; false for an anonymous caller.' },
  favoritesCount: { type: 'integer', minimum: 0 },
  author: schema('Profile'),
};

const responseSchemas = {
  User: record({ email: text, token: { type: 'string', minLength: 1 }, username: text, bio, image }),
  Profile: record({
    username: text,
    bio,
    image,
    following: { type: 'boolean', description: 'Whether the caller follows this user; false for an anonymous caller.' },
  }),
  Article: record({ ...listedArticle, body: text }),
  ArticleListItem: { ...record(listedArticle), description: 'An article as lists show it: without `body`.' },
  Comment: record({ id: { type: 'integer', minimum: 1, description: "The comment's number within its article." }, createdAt: instant, updatedAt: instant, body: text, author: schema('Profile') }),
  UserResponse: record({ user: schema('User') }),
  ProfileResponse: record({ profile: schema('Profile') }),
  SingleArticleResponse: record({ article: schema('Article') }),
  MultipleArticlesResponse: record({
    articles: { type: 'array', items: schema('ArticleListItem') },
    articlesCount: { type: 'integer', minimum: 0, description: 'How many articles match, on every page.' },
  }),
  SingleCommentResponse: record({ comment: schema('Comment') }),
  MultipleCommentsResponse: record({ comments: { type: 'array', items: schema('Comment') } }),
  TagsResponse: record({ tags: { type: 'array', items: text } }),
  Problem: {
    ...record({
      type: { const: 'about:blank' },
      title: { type: 'string', description: 'The status phrase.' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string', description: 'What was wrong, for a person to read.' },
      errors: {
        type: 'object',
        additionalProperties: { type: 'array', items: text },
        description: 'Conduit\'s errors: messages by field, to show as `<field> <message>`; `{"body": [<detail>]}` when no field is to blame.',
      },
    }),
    description: 'An RFC 9457 problem document whose `errors` is the Conduit error object.',
  },
};

const components = () => ({
  schemas: {
    ...Object.fromEntries((Object.keys(bodies) as BodyName[]).flatMap((name) => [[name, bodySchema(name)], [`${name}Request`, wrapperSchema(name)]])),
    ...responseSchemas,
  },
  securitySchemes: {
    Token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`Token <token>`, as Conduit clients send it: the `token` of the user answered by a login or a sign-up.' },
    bearer: { type: 'http', scheme: 'bearer', description: 'The same token as `Bearer <token>` (RFC 6750).' },
  },
  parameters: {
    Username: { name: 'username', in: 'path', required: true, description: 'In any case.', schema: { type: 'string' } },
    Slug: { name: 'slug', in: 'path', required: true, schema: { type: 'string' } },
    CommentId: { name: 'id', in: 'path', required: true, description: "The comment's `id`.", schema: { type: 'string' } },
    IdempotencyKey: {
      name: 'Idempotency-Key',
      in: 'header',
      description: 'A key of your own for this create: a retry with the same key and body answers the first response again, for 24 h.',
      schema: { type: 'string', pattern: idempotencyKeyPattern.source },
    },
  },
  headers: {
    RequestId: responseHeaders.RequestId,
    ServerTiming: responseHeaders.ServerTiming,
    VaryAuthorization: responseHeaders.VaryAuthorization,
    IdempotentReplayed: responseHeaders.IdempotentReplayed,
    RetryAfter: responseHeaders.RetryAfter,
    WwwAuthenticate: responseHeaders.WwwAuthenticate,
    Allow: responseHeaders.Allow,
    RateLimit: responseHeaders.RateLimit,
    RateLimitPolicy: responseHeaders.RateLimitPolicy,
    NoStore: { description: 'The answer carries a session token: kept by no cache.', required: true, schema: { const: 'no-store' } },
  },
  responses: {
    Unauthorized: problem('No token, or one that is malformed, unknown, expired or revoked; or a wrong email or password.', { 'WWW-Authenticate': header('WwwAuthenticate') }),
    Forbidden: problem('Only its author may do this.'),
    NotFound: problem('No such record, or no such path.'),
    MethodNotAllowed: problem('Any method not documented for a path.', { Allow: header('Allow') }),
    ContentTooLarge: problem("The body is over its route's limit once decompressed: 16 KB for logins, 64 KB for sign-ups and account changes, 128 KB for comments, 1 MB for articles."),
    UnsupportedMediaType: problem('The body is not `application/json` (a `+json` type neither), or not UTF-8.'),
    UnprocessableContent: problem(
      'What the client sent is wrong, as Conduit has it: a malformed body or query (`errors` names the fields), a taken email or username, a missing or wrong `currentPassword`, ' +
        'following yourself, an Idempotency-Key used with another body, or a path that is not valid percent-encoding.',
    ),
    IdempotencyKeyInProgress: problem('A request with the same Idempotency-Key is still in progress: retry after the seconds of Retry-After.', { 'Retry-After': header('RetryAfter') }),
    TooManyRequests: problem('Over a rate limit: wait the seconds of Retry-After.', { 'Retry-After': header('RetryAfter'), ...rateLimited }),
    StoreUnavailable: problem(
      'The store does not answer, or took longer than STATEMENT_TIMEOUT_MS; or, where a password is hashed, too many password checks are in progress.',
      { 'Retry-After': header('RetryAfter') },
    ),
    InternalError: problem('The server could not complete the request; its log line, found by X-Request-Id, says why.'),
  },
});

const description = `The Conduit ("RealWorld") API over the same store and rules as the native API (\`/openapi.json\`), in the shapes Conduit clients expect.

- Send the token as \`Authorization: Token <token>\` (or \`Bearer <token>\`).
- Errors are RFC 9457 \`application/problem+json\` documents whose \`errors\` is Conduit's \`{"<field>": ["<message>"]}\`; what a client sent wrong is a 422. A documented path answers any other method with 405 and \`Allow\`.
- Bodies are wrapped (\`{"user": {...}}\`, \`{"article": {...}}\`, \`{"comment": {...}}\`); fields a route does not take are dropped, not refused.
- Lists are newest first; \`offset\` is at most ${maxSkip.toLocaleString('en')}. A path answers with or without one trailing slash.
- Every answer carries \`X-Request-Id\`, the id of its log line, and, when the service runs with \`SERVER_TIMING=true\`, \`Server-Timing\`: the store's time and operations, and the app's own time.`;

let built: object | undefined;

/** The Conduit API's own OpenAPI 3.1 document, served at /api/openapi.json; built once. */
export function conduitOpenApiDocument(): object {
  built ??= {
    openapi: '3.1.0',
    info: { title: 'dualstore: the Conduit API', version: '1.0.0', description, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: '/api' }],
    tags: [
      { name: 'users', description: 'Accounts and sessions' },
      { name: 'profiles', description: 'Users as others see them, and who follows whom' },
      { name: 'articles', description: 'Articles and their lists' },
      { name: 'favorites', description: 'Which articles each user favorites' },
      { name: 'comments', description: 'Comments on articles, newest first' },
      { name: 'tags', description: 'Tags in use' },
      { name: 'meta', description: 'This document' },
    ],
    paths: paths(),
    components: components(),
  };
  return built;
}
