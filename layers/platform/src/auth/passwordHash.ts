import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes in PHC string format, with scrypt:
 * `$scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>`.
 * The parameters travel with the hash, so they can be raised later without
 * breaking stored credentials: a hash made with other parameters is still
 * verified with its own.
 *
 * The cost, chosen: N = 2^15, r = 8, p = 1, i.e. 32 MiB of memory and about
 * 140 ms of one core of the development machine per hash (about 0.5 s on a
 * 512 MB Lambda, which gets about a third of a vCPU). That is a quarter of
 * the work of the common recommendation for human passwords (N = 2^17);
 * tenant passwords are not typed by many humans but set by the operator with
 * at least 12 characters, a login must stay well under a second on the
 * function's small CPU, and online guessing is bounded by the login throttle
 * rather than by the hash. Raise `DEFAULT_LOG_N` and re-set passwords
 * (`tenants set-password`) to move every tenant to a higher cost.
 *
 * @example
 * const stored = await hashPassword('s3cret-passw0rd');
 * await verifyPassword('s3cret-passw0rd', stored); // true
 */
const DEFAULT_LOG_N = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function scryptOptions(logN: number, r: number, p: number): ScryptOptions {
  return { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
}

export async function hashPassword(password: string, logN = DEFAULT_LOG_N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, scryptOptions(logN, BLOCK_SIZE, PARALLELISM));
  return `$scrypt$ln=${logN},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString('base64')}$${key.toString('base64')}`;
}

const PHC_SCRYPT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/**
 * A hash no password matches (an all-zero key), with the default cost: a login
 * for a tenant id that does not exist is checked against it, so that it takes
 * as long as a login for one that does.
 */
export const DECOY_PASSWORD_HASH = `$scrypt$ln=${DEFAULT_LOG_N},r=${BLOCK_SIZE},p=${PARALLELISM}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;

export function isPasswordHash(value: string): boolean {
  return PHC_SCRYPT.test(value);
}

/** Constant-time check of a password against a stored hash; false for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC_SCRYPT.exec(stored);
  if (!match) return false;
  const [, logN, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), scryptOptions(Number(logN), Number(r), Number(p)));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
