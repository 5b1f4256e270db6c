/**
 * Staff login and sessions: the same answer (and timing) for an unknown name and a wrong password, login
 * limits checked before any hashing (LoginThrottle), passwords checked on a bounded thread of their own
 * (PasswordHasher), every failed check audited with its address, random session ids stored only as hashes, a
 * CSRF token per session, and a 30-minute idle timeout.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Store } from '../core/ports.ts';
import type { DeviceCookies } from './device-cookie.ts';
import { HasherBusyError, type PasswordHasher } from './password-hasher.ts';
import { dummyHash } from './passwords.ts';
import type { LoginAttempt, LoginThrottle, ThrottleLimit } from './login-throttle.ts';
import type { StaffMember } from './types.ts';

export const SESSION_IDLE_MS = 30 * 60_000;

/** Why a login failed: a wrong name or password, a login limit (429), or too many logins at once (503). */
export type LoginFailure = { reason: 'invalid' } | { reason: 'throttled' | 'busy'; limit: ThrottleLimit | 'queue'; retryAfterSeconds: number };

export type LoginResult =
  | { ok: true; staff: StaffMember; token: string; csrfToken: string; deviceCookie: string }
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

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class StaffAuth {
  /** `failure` for every failed login (the metrics count them). */
  readonly events = new EventEmitter<{ failure: [LoginFailure] }>();

  constructor(
    private readonly store: Store,
    private readonly protection: LoginProtection,
    private readonly now: () => Date = () => new Date(),
  ) {
    // Made at start, so the first login with an unknown name takes as long as any other.
    void dummyHash();
  }

  async login(name: string, password: string, client: LoginClient): Promise<LoginResult> {
    const account = this.store.staff.findByName(name);
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
      void this.store.write(() => this.store.audit.record({ staffId: account?.id ?? null, action: 'login_failed', target: name, detail, createdAt: this.now() })).catch(() => undefined);
      return this.fail({ reason: 'invalid' });
    }
    await this.protection.throttle.succeeded(attempt);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const at = this.now();
    // A fresh session id at every login (no fixation); older sessions of the account stay valid.
    this.store.sessions.create({ id: hashToken(token), staffId: account.id, csrfToken, createdAt: at, lastSeenAt: at });
    const { passwordHash, loginEpoch, ...staff } = account;
    return { ok: true, staff, token, csrfToken, deviceCookie: this.protection.devices.issue(name) };
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

  /** Stops the hashing thread. */
  async close(): Promise<void> {
    await this.protection.hasher.close();
  }

  private fail(failure: LoginFailure): LoginResult {
    this.events.emit('failure', failure);
    return { ok: false, ...failure };
  }
}
