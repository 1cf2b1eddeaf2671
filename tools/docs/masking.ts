/**
 * What varies from run to run in what a store holds, replaced by placeholders that keep its shape, so two runs
 * (in any time zone) give the same bytes: instants, password hashes, and ids the example names by role.
 */
export class Masking {
  constructor(
    /** Each id of the example by its role (`ada`, `post`): a store's ids, whatever it makes them of. */
    private readonly names: ReadonlyMap<string, string>,
    /** Instants the example sets itself (a publication date): shown as stored. */
    private readonly fixedInstants: readonly Date[],
    /** Values made at random (a token's hash), each by what it is. */
    private readonly secrets: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** A value made at random by its name, else any instant in it masked. */
  text(text: string): string {
    const secret = this.secrets.get(text);
    return secret === undefined ? this.instants(text) : `<${secret}>`;
  }

  /** The role of an id the example wrote, else the id as it is. */
  id(id: string): string {
    return this.names.get(id) ?? id;
  }

  isKnownId(id: string): boolean {
    return this.names.has(id);
  }

  /**
   * Every instant in `text` written `2026-12-06 06:01:02.123` (with `T` or a space, any fraction or none, as
   * each store writes it), but for the fixed ones, becomes `YYYY-MM-DD hh:mm:ss.fff`; what follows (`Z`, `+00`)
   * stays. The fraction is always masked as three places: PostgreSQL drops trailing zeros, and none at all
   * on a whole second.
   */
  instants(text: string): string {
    return text.replace(/\b(\d{4})-(\d{2})-(\d{2})([ T])(\d{2}):(\d{2}):(\d{2})(\.\d+)?/g, (match, y, mo, d, separator, h, mi, s, fraction = '') => {
      const instant = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}Z`);
      if (this.fixedInstants.some((fixed) => fixed.getTime() === instant)) return match;
      return `YYYY-MM-DD${separator}hh:mm:ss.fff`;
    });
  }

  /** A PHC scrypt string keeps its parameters; its random salt and derived key go. */
  passwordHash(hash: string): string {
    return hash.replace(/^(\$scrypt\$[^$]+)\$[^$]+\$[^$]+$/, '$1$<salt>$<key>');
  }
}
