/**
 * Staff login and sessions: the same answer (and timing) for an unknown name and a wrong password,
 * throttling per account after 5 failures, random session ids stored only as hashes, a CSRF token per
 * session, and a 30-minute idle timeout.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../core/ports.ts';
import { DUMMY_HASH_PROMISE, verifyPassword } from './passwords.ts';
import type { StaffMember } from './types.ts';

export const SESSION_IDLE_MS = 30 * 60_000;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export type LoginResult =
  | { ok: true; staff: StaffMember; token: string; csrfToken: string }
  | { ok: false; reason: 'invalid' | 'throttled' };

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class StaffAuth {
  /** Failures for names that do not exist, so they throttle exactly like real accounts. */
  private readonly unknownFailures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async login(name: string, password: string): Promise<LoginResult> {
    const now = this.now().getTime();
    const account = this.store.staff.findByName(name);
    const lockedUntil = account ? (account.lockedUntil?.getTime() ?? 0) : (this.unknownFailures.get(name.toLowerCase())?.lockedUntil ?? 0);
    // Verify even when locked or unknown so every answer takes the same time.
    const valid = await verifyPassword(password, account?.passwordHash ?? (await DUMMY_HASH_PROMISE));
    if (lockedUntil > now) return { ok: false, reason: 'throttled' };
    if (!account || !valid || !account.active) {
      this.recordFailure(name, account, now);
      return { ok: false, reason: 'invalid' };
    }
    this.store.staff.resetLoginFailures(account.id);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const at = this.now();
    // A fresh session id at every login (no fixation); older sessions of the account stay valid.
    this.store.sessions.create({ id: hashToken(token), staffId: account.id, csrfToken, createdAt: at, lastSeenAt: at });
    const { passwordHash, failedLogins, lockedUntil: locked, ...staff } = account;
    return { ok: true, staff, token, csrfToken };
  }

  /** The staff member of a session cookie value, or null when it is unknown, idle too long or the account is off. */
  authenticate(token: string | undefined): { staff: StaffMember; csrfToken: string; sessionId: string } | null {
    if (!token) return null;
    const id = hashToken(token);
    const session = this.store.sessions.get(id);
    if (!session) return null;
    const now = this.now();
    if (now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS) {
      this.store.sessions.delete(id);
      return null;
    }
    const staff = this.store.staff.get(session.staffId);
    if (!staff?.active) return null;
    this.store.sessions.touch(id, now);
    return { staff, csrfToken: session.csrfToken, sessionId: id };
  }

  logout(token: string | undefined): void {
    if (token) this.store.sessions.delete(hashToken(token));
  }

  private recordFailure(name: string, account: { id: number; failedLogins: number } | undefined, now: number): void {
    if (account) {
      const locks = account.failedLogins + 1 >= MAX_FAILED_LOGINS;
      this.store.staff.recordLoginFailure(account.id, locks ? new Date(now + LOCKOUT_MS) : null);
      return;
    }
    const key = name.toLowerCase();
    const entry = this.unknownFailures.get(key) ?? { count: 0, lockedUntil: 0 };
    entry.count++;
    if (entry.count >= MAX_FAILED_LOGINS) entry.lockedUntil = now + LOCKOUT_MS;
    this.unknownFailures.set(key, entry);
  }
}
