import { createHash } from 'node:crypto';
import type { Position } from '../domain/listing';
import { HttpProblem } from './problem';

/**
 * A cursor is where the next page starts (the last item's sort value and id)
 * with a check over that position and the list it belongs to: the route, the
 * sort and the filters. A cursor altered, cut short, or made for another list
 * fails the check and is refused, the same way on every store, so it can never
 * start a wrong page. The check is a plain hash, not a signature: a client can
 * forge a well-formed cursor, but what it names is only a place in a public
 * list.
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

function parsePosition(json: string): Position | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [kind, value, id] = parsed as unknown[];
  if (typeof id !== 'string') return null;
  if (kind === 'n') return Number.isSafeInteger(value) ? { value: value as number, id } : null;
  if (typeof value !== 'string') return null;
  if (kind === 's') return { value, id };
  if (kind !== 'd') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : { value: new Date(time), id };
}

function check(payload: string, list: string): string {
  return createHash('sha256').update(`${list}\n${payload}`).digest('base64url').slice(0, 16);
}

export function invalidCursor(): HttpProblem {
  const message = 'cursor is not a nextCursor of this list: it was altered, cut short, or made for another sort, filter or route';
  return new HttpProblem(400, `query is invalid: ${message}`, [{ field: 'cursor', message }]);
}
