import type { Exchange } from './exchange';

export interface Side {
  label: string;
  exchanges: Exchange[];
  /** Why the scenario stopped early on this side, if it did. */
  failure?: string;
}

export interface Comparison {
  text: string;
  identical: boolean;
}

const statusTexts: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 412: 'Precondition Failed',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/**
 * Both transcripts step by step, under a heading for each part of the
 * scenario: the request once, then the two answers side by side, lines that
 * differ marked `≠`; then "identical", or the differing lines of each step as a diff.
 */
export function compare(a: Side, b: Side, width: number): Comparison {
  const column = Math.max(30, Math.floor((width - 3) / 2));
  const out: string[] = [];
  const differing: string[] = [];
  const steps = Math.max(a.exchanges.length, b.exchanges.length);
  out.push(row(`A ${a.label}`, `B ${b.label}`, ' ', column), '');
  let section: string | undefined;
  for (let i = 0; i < steps; i++) {
    const left = a.exchanges[i];
    const right = b.exchanges[i];
    if ((left ?? right).section !== section) {
      section = (left ?? right).section;
      out.push(`══ ${section} ${'═'.repeat(Math.max(0, width - section.length - 4))}`.slice(0, width), '');
    }
    out.push(`── ${i + 1}. ${(left ?? right).step} ${'─'.repeat(Math.max(0, width - (left ?? right).step.length - 8))}`.slice(0, width));
    const [requestA, requestB] = [request(left), request(right)];
    const [answerA, answerB] = [answer(left), answer(right)];
    const requestsEqual = requestA.join('\n') === requestB.join('\n');
    if (requestsEqual) out.push(...requestA);
    const linesA = requestsEqual ? answerA : [...requestA, ...answerA];
    const linesB = requestsEqual ? answerB : [...requestB, ...answerB];
    out.push(...columns(linesA, linesB, column));
    if (linesA.join('\n') !== linesB.join('\n')) differing.push(diff(`${i + 1}. ${(left ?? right).step}`, linesA, linesB));
    // What each store ran differs by nature: shown side by side, never compared.
    if (left?.operations !== undefined || right?.operations !== undefined) out.push('', ...storeColumns(operations(left), operations(right), column));
    out.push('');
  }
  for (const side of [a, b]) {
    if (side.failure !== undefined) differing.push(`${side.label} stopped after ${side.exchanges.length} steps: ${side.failure}`);
  }
  if (differing.length === 0) out.push(`identical: ${steps} steps, the same answers from A and B once ids, times, tokens, cursors and ETags are masked`);
  else out.push(`different: ${differing.length} of ${steps} steps (- A, + B)`, '', ...differing);
  return { text: out.join('\n'), identical: differing.length === 0 };
}

function request(exchange: Exchange | undefined): string[] {
  if (exchange === undefined) return ['(no request)'];
  const headers = Object.entries(exchange.headers).filter(([name]) => name !== 'Content-Type').map(([name, value]) => `  ${name}: ${value}`);
  const body = exchange.body === undefined ? [] : [`  ${JSON.stringify(exchange.body)}`];
  return [`> ${exchange.method} ${exchange.path}`, ...headers, ...body];
}

function answer(exchange: Exchange | undefined): string[] {
  if (exchange === undefined) return ['(no answer)'];
  const headers = Object.entries(exchange.answerHeaders).map(([name, value]) => `${name}: ${value}`);
  const body = exchange.answer === undefined ? [] : JSON.stringify(exchange.answer, null, 2).split('\n');
  return [`< ${exchange.status} ${statusTexts[exchange.status] ?? ''}`.trimEnd(), ...headers, ...body];
}

function operations(exchange: Exchange | undefined): string[] {
  const ran = exchange?.operations;
  if (ran === undefined) return [];
  return [`${ran.length} store ${ran.length === 1 ? 'operation' : 'operations'}`, ...ran.map((text, i) => `${i + 1}) ${text}`)];
}

/** The operations of both stores, each wrapped within its column, under a plain divider. */
function storeColumns(left: string[], right: string[], column: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const [partsA, partsB] = [wrapWords(left[i] ?? '', column), wrapWords(right[i] ?? '', column)];
    for (let j = 0; j < Math.max(partsA.length, partsB.length); j++) rows.push(row(partsA[j] ?? '', partsB[j] ?? '', '┆', column));
  }
  return rows;
}

/** A statement wrapped at spaces where it can be, each further line indented. */
function wrapWords(line: string, column: number): string[] {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > column) {
    const space = rest.lastIndexOf(' ', column);
    const cut = space > column / 2 ? space : column;
    parts.push(rest.slice(0, cut));
    rest = `   ${rest.slice(cut).trimStart()}`;
  }
  parts.push(rest);
  return parts;
}

/** Two columns; a long line wraps within its column, and a pair of lines that differ is marked between them. */
function columns(left: string[], right: string[], column: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const marker = left[i] === right[i] ? '│' : '≠';
    const [partsA, partsB] = [wrap(left[i] ?? '', column), wrap(right[i] ?? '', column)];
    for (let j = 0; j < Math.max(partsA.length, partsB.length); j++) rows.push(row(partsA[j] ?? '', partsB[j] ?? '', marker, column));
  }
  return rows;
}

function row(left: string, right: string, marker: string, column: number): string {
  return `${left.padEnd(column)} ${marker} ${right}`.trimEnd();
}

function wrap(line: string, column: number): string[] {
  const parts: string[] = [];
  for (let start = 0; start < line.length || parts.length === 0; start += column) parts.push(line.slice(start, start + column));
  return parts;
}

/** The lines of one step that differ, as a line diff (longest common subsequence: a step has few lines). */
function diff(title: string, left: string[], right: string[]): string {
  const common = Array.from({ length: left.length + 1 }, () => new Array<number>(right.length + 1).fill(0));
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      common[i][j] = left[i] === right[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const lines = [title];
  let [i, j] = [0, 0];
  while (i < left.length || j < right.length) {
    if (i < left.length && j < right.length && left[i] === right[j]) [i, j] = [i + 1, j + 1];
    else if (j === right.length || (i < left.length && common[i + 1][j] >= common[i][j + 1])) lines.push(`- ${left[i++]}`);
    else lines.push(`+ ${right[j++]}`);
  }
  return lines.join('\n');
}
