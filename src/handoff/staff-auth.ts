/**
 * Staff login and sessions: the same answer (and timing) for an unknown name and a wrong password, login
 * limits checked before any hashing (LoginThrottle), passwords checked on a bounded thread of their own
 * (PasswordHasher), every failed check audited with its address, random session ids stored only as hashes, a
 * CSRF token per session, and a 30-minute idle timeout. After the password, an account with a second factor
 * gets a pending login (5 minutes, 5 codes) instead of a session; an account that must have one and has none
 * gets a session that can only enrol. The device cookie is issued with the session, after the second step.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Store } from '../store/store.ts';
import type { DeviceCookies } from './device-cookie.ts';
import { HasherBusyError, type PasswordHasher } from './password-hasher.ts';
import { dummyHash, needsRehash } from './passwords.ts';
import type { LoginAttempt, LoginThrottle, ThrottleLimit } from './login-throttle.ts';
import type { SessionScope } from './ports.ts';
import type { SecondFactor } from './second-factor.ts';
import type { StaffMember, StaffRole } from './types.ts';

export const SESSION_IDLE_MS = 30 * 60_000;
/** How long the second step of a login may wait for its code, and how many codes it may try. */
export const PENDING_LOGIN_MS = 5 * 60_000;
export const PENDING_LOGIN_ATTEMPTS = 5;

/** Why a login failed: a wrong name or password, a login limit (429), or too many logins at once (503). */
export type LoginFailure = { reason: 'invalid' } | { reason: 'throttled' | 'busy'; limit: ThrottleLimit | 'queue'; retryAfterSeconds: number };

/** A new session: `enrol` when the account must set up its second factor before anything else. */
export type SessionGrant = { ok: true; staff: StaffMember; token: string; csrfToken: string; scope: SessionScope; deviceCookie: string };

export type LoginResult =
  | SessionGrant
  | { ok: true; secondFactor: 'totp'; pendingToken: string }
  | ({ ok: false } & LoginFailure);

/** Where a login comes from: the client's address and the device cookie it sent, if any. */
export interface LoginClient {
  address: string;
  deviceCookie?: string;
}

/** What protects the login: the limits, the hashing thread and the device cookies. */
export interface LoginProtection {
  throttle: LoginThrottle;
  hasher: PasswordHasher;
  devices: DeviceCookies;
}

/** Seconds a client is told to wait when the hashing queue is full. */
const BUSY_RETRY_S = 2;

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
  /** The name as typed at the password step: the device cookie is issued for it. */
  name: string;
  expiresAt: number;
  attempts: number;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class StaffAuth {
  /** `failure` for every failed login (the metrics count them). */
  readonly events = new EventEmitter<{ failure: [LoginFailure] }>();
  /** Logins whose password was right, waiting for the code; keyed by the token's hash. */
  private readonly pending = new Map<string, PendingLogin>();

  constructor(
    private readonly store: Store,
    private readonly protection: LoginProtection,
    private readonly now: () => Date = () => new Date(),
    private readonly options: StaffAuthOptions = {},
  ) {
    // Made at start, so the first login with an unknown name takes as long as any other.
    void dummyHash();
  }

  get secondFactor(): SecondFactor | undefined {
    return this.options.secondFactor;
  }

  /** Whether the account must have a second factor (and so may do nothing else until it has one). */
  requiresSecondFactor(staff: StaffMember): boolean {
    return Boolean(this.options.secondFactor && this.options.secondFactorRequiredFor?.includes(staff.role));
  }

  async login(name: string, password: string, client: LoginClient): Promise<LoginResult> {
    const account = await this.store.staff.findByName(name);
    const deviceId = this.protection.devices.check(client.deviceCookie, name);
    const attempt: LoginAttempt = { name, epoch: account?.loginEpoch ?? 0, address: client.address, deviceId };
    // The limits come first, the same for names that exist and names that do not, and cost no hashing.
    const verdict = await this.protection.throttle.check(attempt);
    if (!verdict.allowed) return this.fail({ reason: verdict.limit === 'global' ? 'busy' : 'throttled', limit: verdict.limit, retryAfterSeconds: verdict.retryAfterSeconds });
    let valid: boolean;
    try {
      // An unknown name is checked against a dummy hash so both cases take as long.
      valid = await this.protection.hasher.verify(password, account?.passwordHash ?? (await dummyHash()), deviceId !== null);
    } catch (err) {
      if (!(err instanceof HasherBusyError)) throw err;
      return this.fail({ reason: 'busy', limit: 'queue', retryAfterSeconds: BUSY_RETRY_S });
    }
    if (!account || !valid || !account.active) {
      const started = await this.protection.throttle.failed(attempt);
      const detail = `from ${client.address}${deviceId ? ' (device cookie)' : ''}${started.length ? `; now limited: ${started.join(', ')}` : ''}`;
      // Through the write batcher: a flood of failures shares fsyncs, off the event loop.
      void this.store.write(async () => this.store.audit.record({ staffId: account?.id ?? null, action: 'login_failed', target: name, detail, createdAt: this.now() })).catch(() => undefined);
      return this.fail({ reason: 'invalid' });
    }
    await this.protection.throttle.succeeded(attempt);
    const { passwordHash, loginEpoch, ...staff } = account;
    if (needsRehash(passwordHash)) this.rehash(name, password, passwordHash);
    if (await this.options.secondFactor?.isEnabled(staff.id)) return { ok: true, secondFactor: 'totp', pendingToken: this.startPending(staff.id, name) };
    return this.startSession(staff, this.requiresSecondFactor(staff) ? 'enrol' : 'full', name);
  }

  /**
   * Refuses a login from a client without a device cookie that its address's limit or the global one would
   * refuse whatever it sent, before its body is read (null: go on with `login`). Counts as `login` would.
   */
  async refuseEarly(client: LoginClient): Promise<LoginFailure | null> {
    if (client.deviceCookie) return null;
    const verdict = await this.protection.throttle.refusalBeforeName(client.address);
    if (!verdict) return null;
    const failure: LoginFailure = { reason: verdict.limit === 'global' ? 'busy' : 'throttled', limit: verdict.limit, retryAfterSeconds: verdict.retryAfterSeconds };
    this.events.emit('failure', failure);
    return failure;
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
    const staff = await this.store.staff.get(pending.staffId);
    if (!staff?.active) {
      this.pending.delete(key);
      return { ok: false, reason: 'expired', attemptsLeft: 0 };
    }
    const check = await this.options.secondFactor.check(staff.id, code);
    if (check.ok) {
      this.pending.delete(key);
      return { ...(await this.startSession(staff, 'full', pending.name)), kind: check.kind };
    }
    pending.attempts++;
    const attemptsLeft = Math.max(0, PENDING_LOGIN_ATTEMPTS - pending.attempts);
    if (attemptsLeft === 0 || check.reason === 'throttled') this.pending.delete(key);
    return { ok: false, reason: check.reason, attemptsLeft: check.reason === 'throttled' ? 0 : attemptsLeft, staff };
  }

  /** Lifts an enrolment-only session to a full one once the second factor is confirmed. */
  upgradeSession(sessionId: string): Promise<void> {
    return this.store.sessions.setScope(sessionId, 'full');
  }

  /**
   * Stores the password hashed with the current parameters after a successful login (on the hashing thread,
   * best effort: a full queue or an error leaves the old hash, which still verifies); skipped when the
   * password changed meanwhile.
   */
  private rehash(name: string, password: string, stored: string): void {
    this.protection.hasher
      .hash(password)
      .then((fresh) =>
        this.store.write(async () => {
          const current = await this.store.staff.findByName(name);
          if (current?.passwordHash === stored) await this.store.staff.update(current.id, { passwordHash: fresh });
        }),
      )
      .catch(() => undefined);
  }

  private startPending(staffId: number, name: string): string {
    const now = this.now().getTime();
    for (const [key, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(key);
    const token = randomBytes(32).toString('base64url');
    this.pending.set(hashToken(token), { staffId, name, expiresAt: now + PENDING_LOGIN_MS, attempts: 0 });
    return token;
  }

  private async startSession(staff: StaffMember, scope: SessionScope, name: string): Promise<SessionGrant> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const at = this.now();
    // A fresh session id at every login (no fixation); older sessions of the account stay valid.
    await this.store.sessions.create({ id: hashToken(token), staffId: staff.id, csrfToken, createdAt: at, lastSeenAt: at, scope });
    return { ok: true, staff, token, csrfToken, scope, deviceCookie: this.protection.devices.issue(name) };
  }

  /**
   * The staff member of a session cookie value, or null when it is unknown, idle too long or the account is
   * off; enrolment-only sessions count only with `allowEnrolment` (the staff routes check their scope).
   */
  async authenticate(
    token: string | undefined,
    options: { allowEnrolment?: boolean } = {},
  ): Promise<{ staff: StaffMember; csrfToken: string; sessionId: string; scope: SessionScope } | null> {
    if (!token) return null;
    const id = hashToken(token);
    const session = await this.store.sessions.get(id);
    if (!session) return null;
    const scope = session.scope ?? 'full';
    if (scope !== 'full' && !options.allowEnrolment) return null;
    const now = this.now();
    if (now.getTime() - session.lastSeenAt.getTime() > SESSION_IDLE_MS) {
      await this.store.sessions.delete(id);
      return null;
    }
    const staff = await this.store.staff.get(session.staffId);
    if (!staff?.active) return null;
    await this.store.sessions.touch(id, now);
    return { staff, csrfToken: session.csrfToken, sessionId: id, scope };
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await this.store.sessions.delete(hashToken(token));
  }

  /** A signed-in member's password check (a password change) on the hashing thread; throws HasherBusyError when it is full. */
  checkPassword(password: string, stored: string): Promise<boolean> {
    return this.protection.hasher.verify(password, stored, true);
  }

  /** Stops the hashing thread. */
  async close(): Promise<void> {
    await this.protection.hasher.close();
  }

  private fail(failure: LoginFailure): LoginResult {
    this.events.emit('failure', failure);
    return { ok: false, ...failure };
  }
}
