const maxInteger = 2_147_483_647;

/** SQL ids are positive 32-bit integers in canonical form; anything else names no row. */
export function parseSqlId(id: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(id)) return null;
  const n = Number(id);
  return n <= maxInteger ? n : null;
}
