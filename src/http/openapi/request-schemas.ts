import { ValidationTypes, MATCHES } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import { maxTagLength } from '../../domain/tags';
import { type Bounds, emailLabelMax, emailLocalPartMax, httpUrlPattern, timestampPattern } from '../field-rules';
import { listFieldsOf } from '../validation';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

/** Where a rule keeps its numbers: its first constraint (field-rules.ts). */
function fromRule<T>(schema: (constraint: T) => JsonSchema) {
  return ({ constraints }: { constraints: unknown[] }) => schema(constraints[0] as T);
}

/** Text holds a character other than white space and no U+0000 (field-rules.ts, IsText). */
const textPattern = '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$';
/** Text that may be empty, or blank: no U+0000 only. */
const emptyableTextPattern = '^[^\\u0000]*$';
/** One tag: no control character, and something left once trimmed. */
const tagPattern = '^\\P{Cc}*[^\\s\\p{Cc}]\\P{Cc}*$';

/**
 * The schema of each rule in field-rules.ts, from the numbers the rule keeps
 * in its metadata. What JSON Schema cannot say (code points counted once
 * lower-cased, distinct tags after normalization) is said in a description.
 */
const converters = {
  isText: fromRule(({ min, max }: Bounds) => ({ type: 'string', minLength: min, maxLength: max, pattern: min > 0 ? textPattern : emptyableTextPattern })),
  isHttpUrlOrNull: fromRule((max: number) => ({
    type: ['string', 'null'],
    maxLength: max,
    pattern: httpUrlPattern.source,
    description: 'An absolute http or https URL, without user name or password, other characters percent-encoded; null removes it.',
  })),
  isPassword: fromRule(({ min, max }: Bounds) => ({ type: 'string', format: 'password', minLength: min, maxLength: max, pattern: '^[^\\u0000]*$' })),
  trimmed: (): JsonSchema => ({ not: { pattern: '^\\s|\\s$' } }),
  // No `format: email`: JSON Schema's is ASCII only (RFC 5321), and local parts here may hold other letters (RFC 6531).
  isEmailAddress: fromRule((max: number) => ({
    type: 'string',
    description:
      `An email address, whose local part may hold non-ASCII letters: a local part of at most ${emailLocalPartMax} characters, ` +
      `domain labels of at most ${emailLabelMax}, and at most ${max} characters also once lower-cased.`,
  })),
  isWholeNumber: fromRule(({ min, max }: Bounds) => ({ type: 'integer', minimum: min, maximum: max })),
  isTimestamp: (): JsonSchema => ({
    type: 'string',
    format: 'date-time',
    pattern: timestampPattern.source,
    description: 'RFC 3339 with seconds and a zone, from 1000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.',
  }),
  isTagList: fromRule((max: number) => ({
    type: 'array',
    items: { type: 'string', pattern: tagPattern },
    description: `At most ${max} distinct tags, each 1 to ${maxTagLength} characters once trimmed and lower-cased.`,
  })),
  /** A pattern with flags would mean something else once its flags are dropped. */
  [MATCHES]: fromRule((pattern: RegExp) => {
    if (pattern.flags !== '') throw new Error(`the pattern ${pattern} has flags, which a JSON Schema pattern cannot carry`);
    return { type: 'string', pattern: pattern.source };
  }),
  /** A rule without a converter would leave its constraint out of the document: refuse to build it instead. */
  [ValidationTypes.CUSTOM_VALIDATION]: ({ type }: { type: string }) => {
    throw new Error(`no JSON Schema for the validation rule '${type}': add one to openapi/request-schemas.ts`);
  },
};

/**
 * The schema of a body or query class, built from the very rules that validate it. Unknown fields are refused
 * (validation.ts) unless the route drops them, as parseFields does with `unknownFields: 'drop'`.
 */
export function requestSchema(type: new () => object, { unknownFields }: { unknownFields: 'refuse' | 'drop' } = { unknownFields: 'refuse' }): JsonSchema {
  const schema = targetConstructorToSchema(type, { additionalConverters: converters, refPointerPrefix: '#/components/schemas/' }) as JsonSchema;
  return unknownFields === 'refuse' ? { ...schema, additionalProperties: false } : schema;
}

/**
 * The query class's fields as parameters, each with what a client reads of it in `descriptions`. A list field
 * (validation.ts, ListField) is repeated, `?tag=a&tag=b`; any other holds one value, so a list rule given
 * once (IsTagList with `oneAllowed`) is the schema of one item.
 */
export function queryParameters(type: new () => object, descriptions: Record<string, string>): object[] {
  const { properties, required = [] } = requestSchema(type) as { properties: Record<string, JsonSchema>; required?: string[] };
  const lists = listFieldsOf(type);
  return Object.entries(properties).map(([name, { description, ...rules }]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    // The rule's own description (a range, a limit JSON Schema cannot say) follows what the parameter is for.
    description: [descriptions[name], lists.has(name) || rules.type !== 'array' ? description : undefined].filter(Boolean).join(' '),
    schema: lists.has(name) || rules.type !== 'array' ? rules : rules.items,
    ...(lists.has(name) && { style: 'form', explode: true }),
  }));
}
