import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { HashSlots } from './hash-slots';

const blockSize = 8;
const parallelism = 1;
const keyLength = 32;
const phc = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

interface Parsed {
  cost: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

/**
 * Salted scrypt (memory-hard, built into Node), stored in PHC string format
 * `$scrypt$ln=17,r=8,p=1$salt$hash`, so that a change of cost applies to new
 * hashes while old ones still verify (and are redone at the next login).
 */
export class PasswordHasher {
  /**
   * What a login with an unknown email is checked against: one key is derived from it as from a real hash,
   * at the same cost, and never compared. No hash needs making for it: at cost 17 that alone would take a
   * second and 128 MiB as the service starts.
   */
  private readonly dummy: Omit<Parsed, 'key'>;

  /**
   * @param cost log2 of scrypt's N; 17 (128 MiB) is OWASP's recommendation with r=8, p=1.
   * @param slots bounds the hashes in flight; without it (a one-off tool), none is.
   */
  constructor(
    private readonly cost: number,
    private readonly slots?: HashSlots,
  ) {
    this.dummy = { cost, r: blockSize, p: parallelism, salt: randomBytes(16) };
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.derive(password, { cost: this.cost, r: blockSize, p: parallelism, salt });
    return `$scrypt$ln=${this.cost},r=${blockSize},p=${parallelism}$${b64(salt)}$${b64(key)}`;
  }

  /**
   * Derives one key whatever is stored: with no hash (an unknown email) or a
   * malformed one, against a dummy at the current cost, so that the answer
   * takes about as long as for a wrong password.
   */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const parsed = stored === null ? null : parse(stored);
    const key = await this.derive(password, parsed ?? this.dummy);
    return parsed !== null && parsed.key.length === key.length && timingSafeEqual(key, parsed.key);
  }

  /** Whether a hash was made with other parameters than new ones would be. */
  isOutdated(stored: string): boolean {
    const parsed = parse(stored);
    return parsed === null || parsed.cost !== this.cost || parsed.r !== blockSize || parsed.p !== parallelism;
  }

  /** Every key derived, a dummy's too, waits for a slot: @throws HashingBusyError when none comes. */
  private derive(password: string, parameters: Omit<Parsed, 'key'>): Promise<Buffer> {
    return this.slots === undefined ? derive(password, parameters) : this.slots.run(() => derive(password, parameters));
  }
}

function parse(stored: string): Parsed | null {
  const match = phc.exec(stored);
  if (match === null) return null;
  const [, cost, r, p, salt, key] = match;
  return { cost: Number(cost), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

function derive(password: string, { cost, r, p, salt }: Omit<Parsed, 'key'>): Promise<Buffer> {
  const N = 2 ** cost;
  return new Promise((done, fail) =>
    scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: 256 * N * r * p }, (error, key) =>
      error ? fail(error) : done(key),
    ),
  );
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}
