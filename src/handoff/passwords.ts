/**
 * Password hashing with scrypt from node:crypto, stored with its parameters. N=2^14, r=8, p=5 is one of the
 * settings the OWASP Password Storage cheat sheet lists as equal in defence to N=2^17, r=8, p=1 (the one used
 * before): it needs 16 MiB instead of 128 MiB a hash and, measured on the 2-core VM, 172 ms instead of 642 ms,
 * so logins let through during a flood crowd the citizens' threads and memory bandwidth far less. Hashes made
 * with other parameters still verify and are made again at their next successful login (`needsRehash`).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const PARAMS = { N: 2 ** 14, r: 8, p: 5 };
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

/** The scrypt input of a new hash of `password`: a random salt and the current parameters. */
export function newHashInput(password: string): ScryptInput {
  return { password: password.normalize('NFKC'), salt: randomBytes(16), ...PARAMS };
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export function formatHash({ salt, N, r, p }: ScryptInput, key: Uint8Array): string {
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${Buffer.from(key).toString('base64')}`;
}

/** A new hash of `password` on libuv's thread pool (command line, tests); the server uses PasswordHasher.hash. */
export async function hashPassword(password: string): Promise<string> {
  const input = newHashInput(password);
  return formatHash(input, await derive(input));
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

/** Whether a stored hash was made with other parameters than new hashes get (then hash the password again after a successful login). */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) !== PARAMS.N || Number(r) !== PARAMS.r || Number(p) !== PARAMS.p;
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

