import { createHash } from 'node:crypto';
import type { Position } from '../../domain/listing';
import { parseTimestamp, textProblem } from '../field-rules';
import { HttpProblem } from '../problem';

/**
 * A cursor is where the next page starts (the last item's sort value and id)
 * with a check over that position and the list it belongs to: the route, the
 * sort and the filters. A cursor altered, cut short, or made for another list
 * fails the check and is refused, the same way on every store, so it can never
 * start a wrong page. The check is a plain hash, not a signature: a client can
 * forge a well-formed cursor, but what it names is only a place in a public
 * list, and its values are held to the rules of the fields they stand for
 * before any store sees them.
 */
export function encodeCursor(position: Position, list: string): string {
  const payload = Buffer.from(JSON.stringify(positionJson(position))).toString('base64url');
  return `${payload}.${check(payload, list)}`;
}

export function decodeCursor(cursor: string, list: string): Position {
  const [payload, sum, ...rest] = cursor.split('.');
  if (rest.length > 0 || sum === undefined || sum !== check(payload, list)) throw invalidCursor();
  const position = parsePosition(Buffer.from(payload, 'base64url').toString('utf8'));
  if (position === null) throw invalidCursor();
  return position;
}

type PositionJson = ['d', string, string] | ['s', string, string] | ['n', number, string];

function positionJson({ value, id }: Position): PositionJson {
  if (value instanceof Date) return ['d', value.toISOString(), id];
  return typeof value === 'number' ? ['n', value, id] : ['s', value, id];
}

/**
 * The position, when each value is one the list could hold: a date within the range of every date field,
 * in the form encodeCursor writes; text as a title is (a user id stands there in the users' list); a tag's
 * post count, at least 1. An id is text of a title's length too: an id no store issues is left to the
 * store, whose rule for it is "not found", so the list ends there.
 */
function parsePosition(json: string): Position | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [kind, value, id] = parsed as unknown[];
  if (textProblem(id, titleBounds) !== null) return null;
  const position = positionOf(kind, value);
  return position === null ? null : { value: position, id: id as string };
}

/** The bounds of a title (bodies/post.bodies.ts), the longest text a list is sorted by. */
const titleBounds = { min: 1, max: 255 };

function positionOf(kind: unknown, value: unknown): Position['value'] | null {
  switch (kind) {
    case 'n':
      return Number.isSafeInteger(value) && (value as number) >= 1 ? (value as number) : null;
    case 's':
      return textProblem(value, titleBounds) === null ? (value as string) : null;
    case 'd': {
      const date = typeof value === 'string' ? parseTimestamp(value) : null;
      return date !== null && date.toISOString() === value ? date : null;
    }
    default:
      return null;
  }
}

function check(payload: string, list: string): string {
  return createHash('sha256').update(`${list}\n${payload}`).digest('base64url').slice(0, 16);
}

export function invalidCursor(): HttpProblem {
  const message = 'cursor is not a nextCursor of this list: it was altered, cut short, or made for another sort, filter or route';
  return new HttpProblem(400, `query is invalid: ${message}`, [{ field: 'cursor', message }]);
}
