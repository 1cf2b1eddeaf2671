/** The part of autocannon 9 the bench uses (the package ships no types). */
declare module 'autocannon' {
  export interface Options {
    url: string;
    connections?: number;
    /** Requests to send in all; the run ends when every one is answered. */
    amount?: number;
    /** Milliseconds between samples; a run ends on a sample. */
    sampleInt?: number;
    /** Seconds to wait for one response. */
    timeout?: number;
  }

  export interface Result {
    /** Seconds, to the sample that ended the run. */
    duration: number;
    /** `total`: requests answered. */
    requests: { total: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
