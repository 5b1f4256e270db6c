/** Password hashing with scrypt from node:crypto (N=2^17, r=8, p=1), stored with its parameters. */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const PARAMS = { N: 2 ** 17, r: 8, p: 1 };
export const KEY_LENGTH = 32;
/** scrypt needs 128·N·r bytes; allow some headroom. */
export const MAX_MEM = 256 * 1024 * 1024;

/** What scrypt needs to check a password against a stored hash. */
export interface ScryptInput {
  password: string;
  salt: Buffer;
  N: number;
  r: number;
  p: number;
}

function derive({ password, salt, N, r, p }: ScryptInput): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive({ password: password.normalize('NFKC'), salt, ...PARAMS });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** The scrypt input for checking `password` against `stored` and the key it must give, or null for a malformed hash. */
export function scryptCheck(password: string, stored: string): { input: ScryptInput; expected: Buffer } | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return null;
  return {
    input: { password: password.normalize('NFKC'), salt: Buffer.from(salt, 'base64'), N: Number(n), r: Number(r), p: Number(p) },
    expected: Buffer.from(hash, 'base64'),
  };
}

/** Whether a derived key equals the stored one (in constant time). */
export function keysMatch(key: Uint8Array, expected: Buffer): boolean {
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Checks a password on libuv's thread pool (command line, tests); the server's logins use PasswordHasher instead. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const check = scryptCheck(password, stored);
  if (!check) return false;
  return keysMatch(await derive(check.input), check.expected);
}

let dummy: Promise<string> | undefined;
/** A hash of a random password (made at first use), verified against when the login name is unknown so both cases take as long. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(12).toString('hex'));
  return dummy;
}

