/**
 * The second factor of staff logins: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, what every
 * authenticator app reads from a QR code) with otplib, and 10 one-time recovery codes. Secrets are stored
 * sealed with the data key and shown only during enrolment; recovery codes are stored as SHA-256 hashes
 * (they are 80 random bits: no slow hash needed). A code is accepted one step either side of now, and
 * never twice: the step of the last accepted code is kept, and codes of that step or older are refused.
 * 10 wrong codes in a row lock the second step of the account for 15 minutes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { Store } from '../store/store.ts';
import type { TextSealer } from '../privacy/sealed-text.ts';
import type { StaffMember } from './types.ts';

export const RECOVERY_CODE_COUNT = 10;
export const MAX_CODE_FAILURES = 10;
export const CODE_LOCKOUT_MS = 15 * 60_000;
/** The name authenticator apps show above the account. */
export const TOTP_ISSUER = 'Huiying';
const STEP_SECONDS = 30;

/** What enrolment shows once: the secret as text and as a QR code (a PNG data URL) of its otpauth:// URI. */
export interface Enrolment {
  secret: string;
  uri: string;
  qrCode: string;
}

export type CodeCheck = { ok: true; kind: 'totp' | 'recovery' } | { ok: false; reason: 'invalid' | 'throttled' };

const hashCode = (code: string): string => createHash('sha256').update(code).digest('hex');
/** Recovery codes are compared without dashes, spaces or case. */
const normaliseRecovery = (code: string): string => code.toLowerCase().replace(/[^0-9a-f]/g, '');
const TOTP_FORMAT = /^\d{6}$/;

/** `3f9a1-c07e2-…`: 20 hexadecimal digits in groups of 5. */
function newRecoveryCode(): string {
  return randomBytes(10).toString('hex').match(/.{5}/g)!.join('-');
}

export class SecondFactor {
  constructor(
    private readonly store: Store,
    private readonly sealer: TextSealer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async isEnabled(staffId: number): Promise<boolean> {
    return Boolean((await this.store.secondFactors.get(staffId))?.secret);
  }

  /** Recovery codes the account has left (0 without a second factor). */
  async recoveryCodesLeft(staffId: number): Promise<number> {
    return (await this.isEnabled(staffId)) ? this.store.secondFactors.unusedRecoveryCodes(staffId) : 0;
  }

  /** A new secret waiting for confirmation; null when the account already has a second factor. */
  async begin(staff: StaffMember): Promise<Enrolment | null> {
    if (await this.isEnabled(staff.id)) return null;
    const secret = generateSecret();
    await this.store.secondFactors.setPending(staff.id, this.sealer.seal(secret));
    const uri = generateURI({ issuer: TOTP_ISSUER, label: staff.name, secret });
    return { secret, uri, qrCode: await QRCode.toDataURL(uri, { margin: 2, width: 220 }) };
  }

  /** Confirms enrolment with a current code from the app; the recovery codes (to show once), or null for a wrong code. */
  async confirm(staffId: number, code: string): Promise<string[] | null> {
    const pending = (await this.store.secondFactors.get(staffId))?.pendingSecret;
    const secret = pending ? this.sealer.open(pending) : null;
    const token = code.replace(/\s/g, '');
    if (!secret || !TOTP_FORMAT.test(token)) return null;
    const step = await this.matchingStep(secret, token, null);
    if (step === null) return null;
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.store.secondFactors.enable(staffId, this.now(), step, codes.map((c) => hashCode(normaliseRecovery(c))));
    return codes;
  }

  /** Checks a login's second step: a TOTP code, or one of the recovery codes (each works once). */
  async check(staffId: number, code: string): Promise<CodeCheck> {
    const state = await this.store.secondFactors.get(staffId);
    const secret = state?.secret ? this.sealer.open(state.secret) : null;
    if (!state || !secret) return { ok: false, reason: 'invalid' };
    const now = this.now();
    if (state.lockedUntil && state.lockedUntil > now) return { ok: false, reason: 'throttled' };
    const token = code.replace(/\s/g, '');
    if (TOTP_FORMAT.test(token)) {
      const step = await this.matchingStep(secret, token, state.lastStep);
      if (step !== null) {
        await this.store.secondFactors.acceptStep(staffId, step);
        return { ok: true, kind: 'totp' };
      }
    } else {
      const recovery = normaliseRecovery(token);
      if (recovery.length === 20 && (await this.store.secondFactors.useRecoveryCode(staffId, hashCode(recovery), now))) return { ok: true, kind: 'recovery' };
    }
    // A lock that has run out starts the count again.
    const failures = (state.lockedUntil ? 0 : state.failures) + 1;
    const locks = failures >= MAX_CODE_FAILURES;
    await this.store.secondFactors.recordFailure(staffId, failures, locks ? new Date(now.getTime() + CODE_LOCKOUT_MS) : null);
    return { ok: false, reason: locks ? 'throttled' : 'invalid' };
  }

  /** Removes the account's second factor (an administrator's reset; the account enrols again). */
  reset(staffId: number): Promise<void> {
    return this.store.secondFactors.clear(staffId);
  }

  /** The time step `token` belongs to (now, or one step either side), later than `after`; null when none. */
  private async matchingStep(secret: string, token: string, after: number | null): Promise<number | null> {
    const epoch = Math.floor(this.now().getTime() / 1000);
    const result = await verify({ secret, token, epoch, epochTolerance: STEP_SECONDS, afterTimeStep: after ?? undefined });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  }
}
