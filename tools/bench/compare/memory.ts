import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Starts a process's peak resident memory (VmHWM) again from its current size,
 * so that the peak read after a scenario is that scenario's (Linux 4.0+,
 * `clear_refs` value 5; it needs the right to write there, as root or the
 * process's owner has). Answers whether it could.
 */
export function restartPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The process's peak resident memory in MiB, from /proc/<pid>/status; null where there is none. */
export function peakRssMiB(pid: number): number | null {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) / 1024;
  } catch {
    return null;
  }
}
