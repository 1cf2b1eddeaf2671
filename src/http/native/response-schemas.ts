import type { StoreKind } from '../../config';

/**
 * The shape of every JSON answer, as JSON Schema 2020-12 (the dialect of
 * OpenAPI 3.1): what presenters.ts, lists.ts, auth.router.ts, probes.router.ts
 * and problem.ts send. The API document publishes them, and the HTTP suite checks every
 * response it receives against them, so a field added, dropped or retyped on
 * one side fails there. Closed objects: an unlisted field is a drift too.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Instants are always served in UTC with milliseconds (toISOString). */
const instant = {
  type: 'string',
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$',
  examples: ['2025-01-31T09:30:00.000Z'],
};
const version = { type: 'integer', minimum: 1, description: 'Grows by one with every change; the ETag is this number in quotes.' };
const id = { type: 'string', minLength: 1 };

function record(properties: Record<string, object>, optional: string[] = []) {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    additionalProperties: false,
  };
}

const profile = {
  username: { type: 'string' },
  displayName: { type: 'string' },
  bio: { type: 'string', maxLength: 1_000, description: 'Empty when the user has said nothing.' },
  image: { type: ['string', 'null'], maxLength: 2_048, description: 'An absolute http or https URL, or null when there is none.' },
  createdAt: instant,
  updatedAt: instant,
  version,
};

function page(item: string) {
  return record(
    {
      items: { type: 'array', items: ref(item) },
      limit: { type: 'integer', minimum: 1, maximum: 100 },
      nextCursor: { type: ['string', 'null'], description: 'Pass it as `cursor` for the next page; null on the last page.' },
      total: { type: 'integer', minimum: 0, description: 'How many items match, when asked for with `count=true`.' },
    },
    ['total'],
  );
}

export const responseSchemas = {
  PublicUser: {
    ...record({ id, ...profile, following: { type: 'boolean', description: 'Whether the caller follows this user; only when the request is signed in.' } }, ['following']),
    description: 'A user as anyone may see them: without the email.',
  },
  OwnUser: { ...record({ id, email: { type: 'string', description: 'As typed at sign-up or last change; may hold non-ASCII letters.' }, ...profile }), description: 'A user as they see themselves.' },
  Post: record(
    {
      id,
      authorId: id,
      title: { type: 'string' },
      description: { type: 'string', description: 'What the post is about; empty when its author gave none.' },
      content: { type: 'string' },
      publicationDate: instant,
      createdAt: instant,
      updatedAt: instant,
      tags: { type: 'array', items: { type: 'string' }, description: 'Normalized (trimmed, lower-cased), distinct, in code-point order.' },
      version,
      favoritesCount: { type: 'integer', minimum: 0, description: 'How many users favorite the post. A favorite is no change of the post: version and updatedAt stay.' },
      favorited: { type: 'boolean', description: 'Whether the caller favorites this post; only when the request is signed in.' },
    },
    ['favorited'],
  ),
  Comment: {
    ...record({ id, postId: id, authorId: id, author: ref('PublicUser'), content: { type: 'string' }, createdAt: instant, updatedAt: instant }),
    description: 'A comment on a post, with its author as they are now. Comments are not edited: updatedAt is createdAt.',
  },
  TagCount: record({ name: { type: 'string' }, postCount: { type: 'integer', minimum: 1 } }),
  UserPage: page('PublicUser'),
  PostPage: page('Post'),
  TagPage: page('TagCount'),
  CommentPage: page('Comment'),
  Login: record({
    accessToken: { type: 'string', minLength: 1 },
    tokenType: { const: 'Bearer' },
    expiresAt: instant,
    user: ref('OwnUser'),
  }),
  Problem: {
    ...record(
      {
        type: { const: 'about:blank' },
        title: { type: 'string', description: 'The status phrase.' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string', description: 'What was wrong, for a person to read.' },
        errors: { type: 'array', items: ref('FieldError'), description: 'Each field (or header) that was refused, and why.' },
      },
      ['errors'],
    ),
    description: 'An RFC 9457 problem document.',
  },
  FieldError: record({ field: { type: 'string' }, message: { type: 'string' } }),
  Health: record({ status: { const: 'alive' } }),
  Readiness: record({ status: { const: 'ready' }, store: { enum: ['sqlite', 'postgres', 'mysql', 'mongodb'] satisfies StoreKind[] } }),
};
