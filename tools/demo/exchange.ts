/** One request of the scenario and the answer it got, as sent and received (nothing masked yet). */
export interface Exchange {
  /** The part of the scenario the step belongs to, shown as a heading in the report. */
  section: string;
  step: string;
  method: string;
  path: string;
  /** Request headers the scenario chose to send, by name. */
  headers: Record<string, string>;
  body?: unknown;
  status: number;
  /** The answer's headers that the API documents, when present. */
  answerHeaders: Record<string, string>;
  answer: unknown;
  /** What the store ran for it, when the service is in this process (`--persistence`): placeholders only. */
  operations?: string[];
}

/** The answer headers worth comparing; the rest (dates, request ids, lengths) differ by nature. */
const shownHeaders = ['content-type', 'location', 'etag', 'vary', 'www-authenticate', 'allow', 'idempotent-replayed'];

export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or the text when it is not JSON, or undefined when there is no body. */
  body: unknown;
}

/**
 * A string or number field of a JSON answer, such as the id of what it created, as text, by its path
 * (`field(answer, 'user', 'token')` for `{"user": {"token": …}}`); '' when the answer has none.
 */
export function field(answer: Answer, ...path: string[]): string {
  let value = answer.body;
  for (const name of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** How a call presents its token: `Bearer` (the native API's) or `Token` (the Conduit API's); both APIs take both. */
export type AuthScheme = 'Bearer' | 'Token';

/**
 * A client for one running instance that records every exchange in order; with `takeOperations`, each with the
 * store operations the instance ran for it.
 */
export class Recorder {
  readonly exchanges: Exchange[] = [];
  private current = '';

  constructor(
    readonly baseUrl: string,
    private readonly takeOperations?: () => string[],
  ) {}

  /** The steps from here on are this part of the scenario. */
  section(title: string): void {
    this.current = title;
  }

  async call(
    step: string,
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; token?: string; scheme?: AuthScheme } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.Authorization = `${options.scheme ?? 'Bearer'} ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    // fetch adds `Cache-Control: no-cache` to a conditional request unless it has one (the Fetch standard's
    // HTTP-network-or-cache fetch), and a server then rightly ignores If-None-Match.
    if (headers['If-None-Match'] !== undefined) headers['Cache-Control'] = 'max-age=0';
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const answerHeaders = Object.fromEntries(shownHeaders.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)!]] : [])));
    const answer = { status: response.status, headers: answerHeaders, body: text === '' ? undefined : parse(text) };
    const operations = this.takeOperations?.();
    this.exchanges.push({ section: this.current, step, method, path, headers, body: options.body, status: answer.status, answerHeaders, answer: answer.body, operations });
    return answer;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
