/** An answer as the bench compares it: the status, the headers that carry meaning here, and the body's exact text. */
export interface Answer {
  status: number;
  contentType: string | null;
  etag: string | null;
  vary: string | null;
  location: string | null;
  body: string;
}

export interface Call {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT';
  token?: string;
  /** How the token is sent: `Bearer` (the native API's), or `Token`, the Conduit API's. */
  scheme?: 'Bearer' | 'Token';
  ifMatch?: string;
  body?: unknown;
}

export async function send(origin: string, path: string, { method = 'GET', token, scheme = 'Bearer', ifMatch, body }: Call = {}): Promise<Answer> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: {
      ...(token !== undefined && { Authorization: `${scheme} ${token}` }),
      ...(ifMatch !== undefined && { 'If-Match': ifMatch }),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    etag: response.headers.get('etag'),
    vary: response.headers.get('vary'),
    location: response.headers.get('location'),
    body: await response.text(),
  };
}

/** The same call, which must succeed; answers its JSON body and ETag. */
export async function expectOk<T>(origin: string, path: string, call: Call = {}): Promise<{ json: T; etag: string | null }> {
  const answer = await send(origin, path, call);
  if (answer.status >= 300) throw new Error(`${call.method ?? 'GET'} ${origin}${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return { json: JSON.parse(answer.body) as T, etag: answer.etag };
}
