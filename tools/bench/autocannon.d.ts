/** The part of autocannon 9 the benches use (the package ships no types). */
declare module 'autocannon' {
  export interface Options {
    url: string;
    connections?: number;
    /** Requests to send in all; the run ends when every one is answered. */
    amount?: number;
    /** Seconds the run lasts, when no `amount` is given. */
    duration?: number;
    /** Milliseconds between samples; a run ends on a sample. */
    sampleInt?: number;
    /** Seconds to wait for one response. */
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Each connection sends these in turn, each made again before it is sent when it has a setupRequest. */
    requests?: RequestSpec[];
  }

  export interface RequestSpec {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before each send with the request as it stands and this connection's context for this request. */
    setupRequest?: (request: RequestSpec, context: Record<string, unknown>) => RequestSpec;
    /** Called with the response before the connection sends its next request; `headers` keep the case they were sent in. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
  }

  /** Milliseconds. */
  export interface Latency {
    mean: number;
    p50: number;
    p99: number;
    max: number;
  }

  export interface Result {
    /** Seconds, to the sample that ended the run. */
    duration: number;
    /** `total`: requests answered. */
    requests: { total: number };
    latency: Latency;
    errors: number;
    timeouts: number;
    non2xx: number;
    /** Answers by status code. */
    statusCodeStats: Record<string, { count: number }>;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
