import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { type ValidationError, getMetadataStorage, validateSync } from 'class-validator';
import type { Request } from 'express';
import { type FieldError, HttpProblem } from './problem';

/**
 * The request body, read by the route's jsonBody(), as an instance of `type`,
 * or a 400 naming the bad fields. Unknown fields are errors, so nothing a
 * client adds (an `id`, an operator object such as `{"$ne": null}`) ever
 * reaches a store.
 */
export function parseBody<T extends object>(type: ClassConstructor<T>, req: Request): T {
  const body: unknown = req.body;
  if (body === undefined) throw new Error('jsonBody() must run before parseBody()');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpProblem(400, 'request body must be a JSON object');
  }
  return validated(type, body, 'request body');
}

/**
 * `plain` as an instance of `type`, or a 400 naming the bad fields, as parseBody does. With `unknownFields:
 * 'drop'`, fields without rules are left out rather than refused: for clients written elsewhere, which send
 * whole objects back (the Conduit API). What is kept is still checked, operator objects refused.
 */
export function parseFields<T extends object>(type: ClassConstructor<T>, plain: object, where: string, options: { unknownFields: 'refuse' | 'drop' }): T {
  return validated(type, plain, where, options.unknownFields === 'drop');
}

/** The query string as an instance of `type`, or a 400 naming the bad parameters; unknown ones are errors too. */
export function parseQuery<T extends object>(type: ClassConstructor<T>, req: Request): T {
  return validated(type, req.query, 'query');
}

/** A problem names at most this many fields: a body of 60,000 unknown keys must not make a problem of megabytes. */
export const maxFieldErrors = 10;

/** Past this many characters, a field name a client made up is cut short in a problem. */
const maxFieldNameLength = 64;

/** A field name as a problem shows it. */
export function fieldName(name: string): string {
  const cut = [...name.slice(0, 2 * maxFieldNameLength)].slice(0, maxFieldNameLength).join('');
  return cut.length < name.length ? `${cut}…` : name;
}

function validated<T extends object>(type: ClassConstructor<T>, plain: object, where: string, dropUnknown = false): T {
  const known = knownFields(type);
  const errors: FieldError[] = [];
  // Past the first maxFieldErrors, errors are only counted: 60,000 unknown keys make no 60,000 messages.
  let unlisted = 0;
  const report = (error: () => FieldError) => (errors.length < maxFieldErrors ? errors.push(error()) : unlisted++);
  /** Known fields already reported, which class-validator would report again. */
  const reported = new Set<string>();
  const values: Record<string, unknown> = {};
  const lists = listFieldsOf(type);
  for (const field of Object.keys(plain)) {
    const value: unknown = (plain as Record<string, unknown>)[field];
    if (!known.has(field)) {
      if (dropUnknown) continue;
      report(() => ({ field: fieldName(field), message: `${fieldName(field)} is not a known field` }));
    } else if (lists.has(field) && Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) {
      values[field] = value;
    } else if (typeof value === 'object' && value !== null) {
      // Every field holds one value. Refused before class-transformer copies it,
      // which recurses without limit: a few KB of nested arrays would overflow the stack.
      reported.add(field);
      report(() => ({ field, message: `${field} must be a single value, not an object or array` }));
    } else {
      values[field] = value;
    }
  }
  const instance = plainToInstance(type, values);
  for (const error of validateSync(instance, { forbidUnknownValues: true, stopAtFirstError: true }).flatMap(fieldErrors)) {
    if (!reported.has(error.field)) report(() => error);
  }
  if (errors.length > 0) throw invalid(where, errors, unlisted);
  return instance;
}

/** The first maxFieldErrors errors, and how many more there are. */
function invalid(where: string, errors: FieldError[], more: number): HttpProblem {
  const detail = `${where} is invalid: ${errors.map((e) => e.message).join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  return new HttpProblem(400, detail, errors);
}

/**
 * The fields that have validation rules. Checked against the raw keys, because
 * class-transformer silently drops keys such as `__proto__` and `constructor`
 * that class-validator's own whitelist would then never see.
 */
function knownFields(type: ClassConstructor<object>): Set<string> {
  let fields = knownFieldsByType.get(type);
  if (fields === undefined) {
    fields = new Set(getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).map((rule) => rule.propertyName));
    knownFieldsByType.set(type, fields);
  }
  return fields;
}

/**
 * The fields that hold a flat list of values (a body's `tags`, a repeated
 * query parameter), marked with ListField; every other field holds one value.
 */
const listFields = new WeakMap<object, Set<string>>();

export function ListField(): PropertyDecorator {
  return (prototype, property) => {
    const fields = listFields.get(prototype.constructor) ?? new Set<string>();
    listFields.set(prototype.constructor, fields.add(String(property)));
  };
}

/** A subclass inherits its parents' list fields. */
export function listFieldsOf(type: ClassConstructor<object>): Set<string> {
  const fields = new Set<string>();
  for (let current: unknown = type; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    for (const field of listFields.get(current as object) ?? []) fields.add(field);
  }
  return fields;
}

/** The rules of a body class never change after load: read them once, not on every request. */
const knownFieldsByType = new WeakMap<ClassConstructor<object>, Set<string>>();

function fieldErrors(error: ValidationError): FieldError[] {
  return Object.values(error.constraints ?? {}).map((message) => ({ field: error.property, message }));
}

/** A PATCH that changes nothing is almost always a client mistake (a misspelt or dropped field). */
export function requireChanges<T extends object>(body: T): T {
  if (Object.values(body).every((value) => value === undefined)) {
    throw new HttpProblem(400, 'request body must name at least one field');
  }
  return body;
}
