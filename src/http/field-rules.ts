import { type ValidationArguments, ValidateBy, ValidateIf, isEmail } from 'class-validator';
import { maxTagLength, normalizeTag } from '../domain/tags';
import { uniqueKey } from '../domain/user';

/**
 * The numbers of a rule, kept in its class-validator metadata as well as used
 * by its check: openapi/request-schemas.ts reads them from there, so the API
 * document states the very limits that are enforced.
 */
export interface Bounds {
  min: number;
  max: number;
}

/**
 * A string of `min` to `max` characters, counted as Unicode code points (as
 * PostgreSQL and MariaDB count them), that is not blank and holds no U+0000
 * (PostgreSQL cannot store it). One rule for every store, so none of them has
 * to enforce a length it would count differently or not at all (SQLite).
 * With `min` 0 the text may be empty, and so blank too (a bio says nothing).
 */
export function IsText(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isText',
    constraints: [{ min, max } satisfies Bounds],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => textProblem(value, args!.constraints[0]) === null,
      defaultMessage: (args?: ValidationArguments) => `${args!.property} ${textProblem(args!.value, args!.constraints[0])}`,
    },
  });
}

/** What is wrong with `value` as text of `min` to `max` code points, or null when nothing is. */
export function textProblem(value: unknown, { min, max }: Bounds): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.includes('\u0000')) return 'must not contain the character U+0000';
  // A lone surrogate is not Unicode text: every driver would store U+FFFD instead.
  if (!value.isWellFormed()) return 'must be well-formed Unicode (no lone surrogates)';
  const length = [...value].length;
  if (length < min || length > max) return `must be ${min} to ${max} characters long`;
  if (min > 0 && value.trim() === '') return 'must not be blank';
  return null;
}

/** The longest image URL taken; ASCII only (httpUrlPattern), so characters, code points and bytes agree. */
export const maxUrlLength = 2_048;

/**
 * `http://` or `https://` (either in any case), a non-empty authority without `@` (so no user name or
 * password), then only characters RFC 3986 allows in a URL, each `%` starting an escape. Unicode (an IRI) is written
 * percent-encoded, so the URL is ASCII and its length is the same in every unit. No regex flags: the API
 * document states this pattern.
 */
export const httpUrlPattern = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:[\]]|%[0-9A-Fa-f]{2})+(?:[/?#](?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*)?$/;

/**
 * An absolute http or https URL of at most `max` characters (httpUrlPattern) that WHATWG's URL parser, which
 * browsers use, reads with the same scheme and a valid host; or null, which removes it. Other schemes
 * (`javascript:`, `data:`, `file:`), relative URLs and credentials (`https://user:secret@host/`, a phishing
 * aid and a leak once public) are refused.
 */
export function IsHttpUrlOrNull(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isHttpUrlOrNull',
    constraints: [max],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => value === null || isHttpUrl(value, args!.constraints[0]),
      defaultMessage: (args?: ValidationArguments) =>
        `${args!.property} must be null or an absolute http or https URL of at most ${args!.constraints[0]} characters, ` +
        'without user name or password, other characters percent-encoded',
    },
  });
}

function isHttpUrl(value: unknown, max: number): boolean {
  if (typeof value !== 'string' || value.length > max || !httpUrlPattern.test(value)) return false;
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === '';
}

/**
 * A list of at most `max` distinct tags, each a string of 1 to 32 code points
 * once trimmed and lower-cased, well-formed and without control characters.
 * Where `oneAllowed` (a query parameter given once), a single string is a list of one.
 */
export function IsTagList(max: number, { oneAllowed }: { oneAllowed: boolean }): PropertyDecorator {
  const problem = (value: unknown, property: string): string | null => {
    const list = oneAllowed && typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list)) return `${property} must be an array of strings`;
    for (const [i, tag] of list.entries()) {
      const where = oneAllowed ? property : `${property}[${i}]`;
      if (typeof tag !== 'string') return `${where} must be a string`;
      if (!tag.isWellFormed() || /\p{Cc}/u.test(tag)) return `${where} must be well-formed Unicode without control characters`;
      const length = [...normalizeTag(tag)].length;
      if (length < 1 || length > maxTagLength) return `${where} must be 1 to ${maxTagLength} characters once trimmed and lower-cased`;
    }
    if (new Set(list.map((tag: string) => normalizeTag(tag))).size > max) return `${property} must hold at most ${max} distinct tags`;
    return null;
  };
  return ValidateBy({
    name: 'isTagList',
    constraints: [max],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => problem(value, args!.property) === null,
      defaultMessage: (args?: ValidationArguments) => problem(args!.value, args!.property) ?? '',
    },
  });
}

/** A string of `min` to `max` code points without U+0000; unlike text, spaces alone are allowed. */
export function IsPassword(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isPassword',
    constraints: [{ min, max } satisfies Bounds],
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && !value.includes('\u0000') && value.isWellFormed() && between([...value].length, min, max),
      defaultMessage: (args?: ValidationArguments) =>
        `${args!.property} must be a string of ${min} to ${max} characters, well-formed and without U+0000`,
    },
  });
}

function between(n: number, min: number, max: number): boolean {
  return n >= min && n <= max;
}

/**
 * No white space at either end. Emails and usernames are keys: refused
 * rather than trimmed, so that every store (MariaDB's padding collations
 * included) and every rate-limit count read them as sent, and a key never
 * has two spellings.
 */
export function Trimmed(): PropertyDecorator {
  return ValidateBy({
    name: 'trimmed',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.trim() === value,
      defaultMessage: (args?: ValidationArguments) => `${args!.property} must not begin or end with white space`,
    },
  });
}

/** RFC 5321's limits on an address's parts, counted in code points like every length here. */
export const emailLocalPartMax = 64;
export const emailLabelMax = 63;

/**
 * An email address as class-validator's IsEmail reads it (UTF-8 local parts
 * allowed), with its limits counted in code points rather than UTF-16 units:
 * a local part of at most 64, domain labels of at most 63, and at most `max`
 * in all, also once lower-cased, the form that carries the unique index
 * (lower-casing can lengthen a string: 'İ' becomes 'i̇'). IsText bounds the length as typed.
 */
export function IsEmailAddress(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isEmailAddress',
    constraints: [max],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => emailProblem(value, args!.constraints[0]) === null,
      defaultMessage: (args?: ValidationArguments) => `${args!.property} ${emailProblem(args!.value, args!.constraints[0])}`,
    },
  });
}

function emailProblem(value: unknown, max: number): string | null {
  const codePoints = (text: string) => [...text].length;
  if (typeof value !== 'string' || !isEmail(value, { ignore_max_length: true })) return 'must be an email address';
  const at = value.lastIndexOf('@');
  if (codePoints(value.slice(0, at)) > emailLocalPartMax) return `must have a local part of at most ${emailLocalPartMax} characters`;
  if (value.slice(at + 1).split('.').some((label) => codePoints(label) > emailLabelMax)) {
    return `must have domain labels of at most ${emailLabelMax} characters each`;
  }
  if (codePoints(uniqueKey(value)) > max) return `must be at most ${max} characters, also in lower case`;
  return null;
}

/** The field may be left out, but when present it must be valid: `null` is not a value here. */
export function Omittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}

/**
 * A query value of plain decimal digits, from `min` to `max`: `1e3`, ` 5`, `1.0`,
 * an empty value or a repeated parameter are not numbers here.
 */
export function IsWholeNumber(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isWholeNumber',
    constraints: [{ min, max } satisfies Bounds],
    validator: {
      validate: (value: unknown) => parseWholeNumber(value, min, max) !== null,
      defaultMessage: (args?: ValidationArguments) => `${args!.property} must be a whole number from ${min} to ${max}`,
    },
  });
}

function parseWholeNumber(value: unknown, min: number, max: number): number | null {
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/**
 * RFC 3339 `date-time` with seconds: `T` and `Z` in either case (RFC 3339 §5.6
 * allows it), a fraction of 1 to 9 digits, a zone `Z` or `±HH:MM`.
 */
export const timestampPattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
/** The range every store can hold: MariaDB's `datetime` ends at year 9999 and starts at 1000. */
const earliest = Date.parse('1000-01-01T00:00:00.000Z');
const latest = Date.parse('9999-12-31T23:59:59.999Z');

/** An RFC 3339 date and time with seconds and a zone, within the years 1000 to 9999 UTC. */
export function IsTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimestamp',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseTimestamp(value) !== null,
      defaultMessage: (args?: ValidationArguments) =>
        `${args!.property} must be an RFC 3339 date and time with seconds and a zone (Z or ±HH:MM), from 1000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z`,
    },
  });
}

/** The instant, to the millisecond (further digits are dropped, not rounded), or null when not allowed. */
export function parseTimestamp(value: string): Date | null {
  const match = timestampPattern.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const millisecond = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const [sign, offsetHour, offsetMinute] = [match[8] === '-' ? -1 : 1, Number(match[9] ?? 0), Number(match[10] ?? 0)];
  // No leap second: no store can hold one.
  if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return null;
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond));
  // Date.UTC rolls 02-30 over into March and reads years below 100 as 19xx: keep only dates that come back as written.
  if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return null;
  const time = local.getTime() - sign * (offsetHour * 60 + offsetMinute) * 60_000;
  return time >= earliest && time <= latest ? new Date(time) : null;
}
