/**
 * OWASP "device cookies": a browser that logged in to an account gets a signed cookie naming that account, and
 * with it is exempt from the per-account and per-address login limits (its own failures are counted per
 * cookie instead), so an attacker guessing an account's password cannot lock its owner out.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_COOKIE = 'hy_device';
/** How long a device cookie stays valid after the login that issued it. */
export const DEVICE_COOKIE_MS = 90 * 24 * 3600_000;

/** The account name as throttling and device cookies compare it. */
export const loginKey = (name: string): string => name.normalize('NFKC').toLowerCase();

export class DeviceCookies {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  /** A cookie value for a browser that has just logged in as `name`: `<name>.<nonce>.<expires>.<signature>`, base64url. */
  issue(name: string): string {
    const body = [Buffer.from(loginKey(name)).toString('base64url'), randomBytes(9).toString('base64url'), String(this.now() + DEVICE_COOKIE_MS)].join('.');
    return `${body}.${this.sign(body)}`;
  }

  /** The device's id (its nonce) when `value` is a valid, unexpired cookie for `name`, else null. */
  check(value: string | undefined, name: string): string | null {
    if (!value) return null;
    const parts = value.split('.');
    if (parts.length !== 4) return null;
    const [who, nonce, expires, signature] = parts as [string, string, string, string];
    const expected = Buffer.from(this.sign(`${who}.${nonce}.${expires}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    if (Buffer.from(who, 'base64url').toString() !== loginKey(name) || Number(expires) < this.now()) return null;
    return nonce;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
