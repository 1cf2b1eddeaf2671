import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, Document, MongoClient } from 'mongodb';
import { type Settle, operationSent } from '../capture';

/** The driver's own handshakes and session housekeeping are not the service's commands. */
const driverCommands = new Set(['hello', 'ismaster', 'isMaster', 'endSessions', 'saslStart', 'saslContinue', 'authenticate']);

/**
 * From now on, each command `client` sends on behalf of a recording request (see ../capture.ts) is recorded,
 * from the driver's command monitoring: its name, its collection and the shape of its filter. The client must
 * have been made with `monitorCommands: true`, which is only asked for when the service captures operations
 * (SERVER_TIMING=true or LOG_LEVEL=debug): otherwise the driver builds no event at all. A command is started in
 * the async context of the request that sent it; its reply is matched by the driver's request id.
 */
export function captureCommands(client: MongoClient): void {
  const pending = new Map<number, Settle>();
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (driverCommands.has(event.commandName)) return;
    const settle = operationSent(() => describeCommand(event.commandName, event.command));
    if (settle !== undefined) pending.set(event.requestId, settle);
  });
  const settled = (event: CommandSucceededEvent | CommandFailedEvent) => {
    pending.get(event.requestId)?.();
    pending.delete(event.requestId);
  };
  client.on('commandSucceeded', settled);
  client.on('commandFailed', settled);
}

/**
 * `find posts {_id: ?}`: the command, its collection, and what it selects by, each value a placeholder and
 * each operator kept. An aggregation shows its stages, with the shape of each `$match`.
 */
export function describeCommand(name: string, command: Document): string {
  const target = command[name];
  const collection = typeof target === 'string' ? target : typeof command.collection === 'string' ? command.collection : undefined;
  const head = collection === undefined ? name : `${name} ${collection}`;
  const selections = selectionsOf(name, command);
  return selections.length === 0 ? head : `${head} ${selections.join(' ')}`;
}

function selectionsOf(name: string, command: Document): string[] {
  switch (name) {
    case 'find':
    case 'count':
    case 'distinct':
      return [shape(command.filter ?? command.query ?? {})];
    case 'findAndModify':
      return [shape(command.query ?? {})];
    // A batch of statements is shown by each filter shape it holds, once.
    case 'update':
      return [...new Set(((command.updates as { q: unknown }[] | undefined) ?? []).map(({ q }) => shape(q)))];
    case 'delete':
      return [...new Set(((command.deletes as { q: unknown }[] | undefined) ?? []).map(({ q }) => shape(q)))];
    case 'aggregate':
      return [`[${((command.pipeline as Document[] | undefined) ?? []).map(stage).join(', ')}]`];
    default:
      return [];
  }
}

function stage(step: Document): string {
  const [operator] = Object.keys(step);
  return operator === '$match' ? `$match ${shape(step.$match)}` : operator;
}

/**
 * A filter with its keys and operators kept and every value a `?`: a list of values (`$in`) is one `?`, a
 * list of conditions (`$or`, `$and`) or of documents is shown by each shape it holds, once, so that the text
 * does not grow with a page's length. Keys are the service's field names, never a caller's data.
 */
export function shape(value: unknown): string {
  if (Array.isArray(value)) return value.length > 0 && value.every(isPlainObject) ? `[${[...new Set(value.map(shape))].join(', ')}]` : '?';
  if (!isPlainObject(value)) return '?';
  return `{${Object.entries(value)
    .map(([key, item]) => `${key}: ${shape(item)}`)
    .join(', ')}}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
