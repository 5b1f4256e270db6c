/**
 * Staff login and sessions: the same answer (and timing) for an unknown name and a wrong password,
 * throttling per account after 5 failures, random session ids stored only as hashes, a CSRF token per
 * session, and a 30-minute idle timeout. After the password, an account with a second factor gets a
 * pending login (5 minutes, 5 codes) instead of a session; an account that must have one and has none
 * gets a session that can only enrol.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../core/ports.ts';
import { DUMMY_HASH_PROMISE, verifyPassword } from './passwords.ts';
import type { SessionScope } from './ports.ts';
import type { SecondFactor } from './second-factor.ts';
import type { StaffMember, StaffRole } from './types.ts';

export const SESSION_IDLE_MS = 30 * 60_000;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** How long the second step of a login may wait for its code, and how many codes it may try. */
export const PENDING_LOGIN_MS = 5 * 60_000;
export const PENDING_LOGIN_ATTEMPTS = 5;

/** A new session: `enrol` when the account must set up its second factor before anything else. */
export type SessionGrant = { ok: true; staff: StaffMember; token: string; csrfToken: string; scope: SessionScope };

export type LoginResult =
  | SessionGrant
  | { ok: true; secondFactor: 'totp'; pendingToken: string }
  | { ok: false; reason: 'invalid' | 'throttled' };

/** The second step: a session, or why not (`expired`: no such pending login, or it ran out of time or attempts). */
export type SecondStepResult =
  | (SessionGrant & { kind: 'totp' | 'recovery' })
  | { ok: false; reason: 'invalid' | 'throttled' | 'expired'; attemptsLeft: number; staff?: StaffMember };

export interface StaffAuthOptions {
  secondFactor?: SecondFactor;
  /** Roles that may not work without a second factor (STAFF_REQUIRE_2FA: supervisors and administrators). */
  secondFactorRequiredFor?: readonly StaffRole[];
}

interface PendingLogin {
  staffId: number;
  expiresAt: number;
  attempts: number;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class StaffAuth {
  /** Failures for names that do not exist, so they throttle exactly like real accounts. */
  private readonly unknownFailures = new Map<string, { count: number; lockedUntil: number }>();
  /** Logins whose password was right, waiting for the code; keyed by the token's hash. */
  private readonly pending = new Map<string, PendingLogin>();

  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
    private readonly options: StaffAuthOptions = {},
  ) {}

  get secondFactor(): SecondFactor | undefined {
    return this.options.secondFactor;
  }

  /** Whether the account must have a second factor (and so may do nothing else until it has one). */
  requiresSecondFactor(staff: StaffMember): boolean {
    return Boolean(this.options.secondFactor && this.options.secondFactorRequiredFor?.includes(staff.role));
  }

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
    const { passwordHash, failedLogins, lockedUntil: locked, ...staff } = account;
    if (this.options.secondFactor?.isEnabled(staff.id)) return { ok: true, secondFactor: 'totp', pendingToken: this.startPending(staff.id, now) };
    return this.startSession(staff, this.requiresSecondFactor(staff) ? 'enrol' : 'full');
  }

  /** The second step of a login: the code from the app, or a recovery code. */
  async completeLogin(pendingToken: string, code: string): Promise<SecondStepResult> {
    const key = hashToken(pendingToken);
    const pending = this.pending.get(key);
    const now = this.now().getTime();
    if (!pending || pending.expiresAt <= now || !this.options.secondFactor) {
      this.pending.delete(key);
      return { ok: false, reason: 'expired', attemptsLeft: 0 };
    }
    const staff = this.store.staff.get(pending.staffId);
    if (!staff?.active) {
      this.pending.delete(key);
      return { ok: false, reason: 'expired', attemptsLeft: 0 };
    }
    const check = await this.options.secondFactor.check(staff.id, code);
    if (check.ok) {
      this.pending.delete(key);
      return { ...this.startSession(staff, 'full'), kind: check.kind };
    }
    pending.attempts++;
    const attemptsLeft = Math.max(0, PENDING_LOGIN_ATTEMPTS - pending.attempts);
    if (attemptsLeft === 0 || check.reason === 'throttled') this.pending.delete(key);
    return { ok: false, reason: check.reason, attemptsLeft: check.reason === 'throttled' ? 0 : attemptsLeft, staff };
  }

  /** Lifts an enrolment-only session to a full one once the second factor is confirmed. */
  upgradeSession(sessionId: string): void {
    this.store.sessions.setScope(sessionId, 'full');
  }

  private startPending(staffId: number, now: number): string {
    for (const [key, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(key);
    const token = randomBytes(32).toString('base64url');
    this.pending.set(hashToken(token), { staffId, expiresAt: now + PENDING_LOGIN_MS, attempts: 0 });
    return token;
  }

  private startSession(staff: StaffMember, scope: SessionScope): SessionGrant {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const at = this.now();
    // A fresh session id at every login (no fixation); older sessions of the account stay valid.
    this.store.sessions.create({ id: hashToken(token), staffId: staff.id, csrfToken, createdAt: at, lastSeenAt: at, scope });
    return { ok: true, staff, token, csrfToken, scope };
  }

  /**
   * The staff member of a session cookie value, or null when it is unknown, idle too long or the account is
   * off; enrolment-only sessions count only with `allowEnrolment` (the staff routes check their scope).
   */
  authenticate(
    token: string | undefined,
    options: { allowEnrolment?: boolean } = {},
  ): { staff: StaffMember; csrfToken: string; sessionId: string; scope: SessionScope } | null {
    if (!token) return null;
    const id = hashToken(token);
    const session = this.store.sessions.get(id);
    if (!session) return null;
    const scope = session.scope ?? 'full';
    if (scope !== 'full' && !options.allowEnrolment) return null;
    const now = this.now();
    if (now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS) {
      this.store.sessions.delete(id);
      return null;
    }
    const staff = this.store.staff.get(session.staffId);
    if (!staff?.active) return null;
    this.store.sessions.touch(id, now);
    return { staff, csrfToken: session.csrfToken, sessionId: id, scope };
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
