import { performance } from 'node:perf_hooks';

export interface ProbeStats {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers by status; `failed` counts requests that got no answer (reset, timeout). */
  statuses: Record<string, number>;
}

/**
 * What one well-behaved client sees: requests one at a time, taking the URLs in turn, until `stop` resolves.
 * Each request is timed from sending to its body read, and given up after a minute.
 */
export async function probe(urls: Record<string, string>, stop: Promise<unknown>): Promise<Record<string, ProbeStats>> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const times = Object.fromEntries(Object.keys(urls).map((name) => [name, [] as number[]]));
  const statuses = Object.fromEntries(Object.keys(urls).map((name) => [name, {} as Record<string, number>]));
  while (!stopped) {
    for (const [name, url] of Object.entries(urls)) {
      const start = performance.now();
      let status: string;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
        await response.arrayBuffer();
        status = String(response.status);
      } catch {
        status = 'failed';
      }
      times[name].push(performance.now() - start);
      statuses[name][status] = (statuses[name][status] ?? 0) + 1;
    }
  }
  return Object.fromEntries(Object.keys(urls).map((name) => [name, stats(times[name], statuses[name])]));
}

function stats(values: number[], statuses: Record<string, number>): ProbeStats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { samples: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? Number.NaN, statuses };
}
