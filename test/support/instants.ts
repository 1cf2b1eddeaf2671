/**
 * Publication dates a time zone could move, in no particular order. The suites run in UTC,
 * America/New_York and Asia/Kathmandu (see jest.config.js); each of these must read back to the
 * millisecond and sort by instant in all three.
 */
export const zoneSensitiveInstants = [
  '2024-11-03T06:30:00.000Z', // New York falls back: 01:30 local a second time...
  '1843-09-01T00:00:00.000Z', // Local Mean Time: New York -04:56:02, Kathmandu +05:41:16
  '9999-12-31T23:59:59.999Z', // the last instant accepted; already year 10000 in Kathmandu
  '2024-03-10T06:59:59.999Z', // New York's last standard-time instant before spring forward...
  '1985-12-31T18:30:00.000Z', // Kathmandu moves from +05:30 to +05:45
  '1000-01-01T00:00:00.000Z', // the first instant accepted; still year 999 in New York
  '2024-11-03T05:30:00.000Z', // ...and the first time it is 01:30 local
  '2024-03-10T07:00:00.000Z', // ...and the next millisecond, 03:00 local: 02:00 to 02:59 never happen
];

/** Newest first, as every list of posts is ordered: ISO strings of four-digit years sort as their instants. */
export function newestFirst(isos: readonly string[]): string[] {
  return [...isos].sort().reverse();
}

/** The offset, in minutes as Date#getTimezoneOffset gives it, that each zone the suites run in has on 2024-07-01. */
export const julyOffsets: Record<string, number> = { UTC: 0, 'America/New_York': 240, 'Asia/Kathmandu': -345 };
