import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Milliseconds of CPU a process has used so far, user and system together (its own threads: the event loop,
 * libuv's pool, the garbage collector, an embedded SQLite). What a server spends per request holds when
 * other processes share the cores, where requests per second do not.
 */
export function cpuMs(pid: number): number {
  // The command name, in parentheses, may hold spaces: count the fields after it.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return ((utime + stime) * 1000) / ticksPerSecond;
}
