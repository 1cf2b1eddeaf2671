import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const blockSize = 8;
const parallelism = 1;
const keyLength = 32;
const phc = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Salted scrypt (memory-hard, built into Node), stored in PHC string format
 * `$scrypt$ln=17,r=8,p=1$salt$hash` so that a change of cost applies to new
 * hashes while old ones still verify.
 */
export class PasswordHasher {
  private dummy: Promise<string> | undefined;

  /** @param cost log2 of scrypt's N; 17 (128 MiB) is OWASP's recommendation with r=8, p=1. */
  constructor(private readonly cost: number) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.cost, blockSize, parallelism);
    return `$scrypt$ln=${this.cost},r=${blockSize},p=${parallelism}$${b64(salt)}$${b64(key)}`;
  }

  /**
   * With no stored hash (unknown email), still derives a key, so that a wrong
   * email and a wrong password take about the same time.
   */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const match = phc.exec(stored ?? (await (this.dummy ??= this.hash('no account has this password'))));
    if (match === null) return false;
    const [, ln, r, p, salt, expected] = match;
    const key = await derive(password, Buffer.from(salt, 'base64'), Number(ln), Number(r), Number(p));
    const want = Buffer.from(expected, 'base64');
    return stored !== null && want.length === key.length && timingSafeEqual(key, want);
  }
}

function derive(password: string, salt: Buffer, cost: number, r: number, p: number): Promise<Buffer> {
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
