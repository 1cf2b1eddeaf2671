import { type ValidationArguments, ValidateBy, ValidateIf, isISO8601 } from 'class-validator';
import { uniqueKey } from '../domain/user';

interface TextRule {
  min: number;
  max: number;
}

/**
 * A string of `min` to `max` characters, counted as Unicode code points (as
 * PostgreSQL and MariaDB count them), that is not blank and holds no U+0000
 * (PostgreSQL cannot store it). One rule for every store, so none of them has
 * to enforce a length it would count differently or not at all (SQLite).
 */
export function IsText(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isText',
    constraints: [{ min, max } satisfies TextRule],
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => textProblem(value, args!.constraints[0]) === null,
      defaultMessage: (args?: ValidationArguments) => `${args!.property} ${textProblem(args!.value, args!.constraints[0])}`,
    },
  });
}

function textProblem(value: unknown, { min, max }: TextRule): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.includes('\u0000')) return 'must not contain the character U+0000';
  // A lone surrogate is not Unicode text: every driver would store U+FFFD instead.
  if (!value.isWellFormed()) return 'must be well-formed Unicode (no lone surrogates)';
  const length = [...value].length;
  if (length < min || length > max) return `must be ${min} to ${max} characters long`;
  if (value.trim() === '') return 'must not be blank';
  return null;
}

/** A string of `min` to `max` code points without U+0000; unlike text, spaces alone are allowed. */
export function IsPassword(min: number, max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isPassword',
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
 * The lower-cased form, which carries the unique index, fits the store's key
 * column too: lower-casing can lengthen a string ('İ' becomes 'i̇').
 */
export function FitsUniqueKey(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'fitsUniqueKey',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && [...uniqueKey(value)].length <= max,
      defaultMessage: (args?: ValidationArguments) => `${args!.property} must be at most ${max} characters, also in lower case`,
    },
  });
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

const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
/** The range every store can hold: MariaDB's `datetime` ends at year 9999 and starts at 1000. */
const earliest = Date.parse('1000-01-01T00:00:00.000Z');
const latest = Date.parse('9999-12-31T23:59:59.999Z');

/** An ISO 8601 date and time with a zone (`Z` or an offset), within the years 1000 to 9999 UTC. */
export function IsTimestamp(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimestamp',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseTimestamp(value) !== null,
      defaultMessage: (args?: ValidationArguments) =>
        `${args!.property} must be an ISO 8601 date and time with a zone, between 1000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z`,
    },
  });
}

export function parseTimestamp(value: string): Date | null {
  if (!timestampPattern.test(value) || !isISO8601(value, { strict: true, strictSeparator: true })) return null;
  const time = Date.parse(value);
  return time >= earliest && time <= latest ? new Date(time) : null;
}
