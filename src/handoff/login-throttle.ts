/**
 * Login throttling that cannot be turned against the account's owner (OWASP Authentication and Credential
 * Stuffing cheat sheets), checked before any password is hashed:
 * - per account and client (address, or device cookie): 3 failures free, then a back-off doubling from 1 s
 *   up to 15 minutes; a success clears it;
 * - per address, across names: at most `addressFailuresPerHour` failures;
 * - per account, from all clients without its device cookie: past `accountFailuresPerHour` failures, each
 *   further one makes such clients wait, doubling from 1 s up to a minute: slower, never locked;
 * - all logins without a device cookie together: at most `attemptsPerMinute` checked a minute.
 * A browser with the account's device cookie is exempt from all but its own back-off. Names that do not exist
 * are throttled exactly like real ones (keys are the name as typed, never whether it exists). An account's
 * keys carry its unlock epoch (`staff.login_epoch`), so an administrator's unlock, even from the command line
 * against a running server, starts it afresh.
 */
import { ipKeyGenerator } from 'express-rate-limit';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryLimiters, type LimiterFactory } from '../cluster/limiters.ts';
import { loginKey } from './device-cookie.ts';

export interface LoginThrottleSettings {
  /** Failed logins an hour from one address, whatever the names (LOGIN_ADDRESS_FAILURES_PER_HOUR). */
  addressFailuresPerHour: number;
  /** Failures an hour on one account before clients without its device cookie are slowed (LOGIN_ACCOUNT_FAILURES_PER_HOUR). */
  accountFailuresPerHour: number;
  /** Logins without a device cookie checked a minute, all addresses together (LOGIN_ATTEMPTS_PER_MINUTE). */
  attemptsPerMinute: number;
}

/** One login attempt as the limits see it. */
export interface LoginAttempt {
  name: string;
  /** The account's unlock epoch (0 for names that do not exist). */
  epoch: number;
  /** The client's address (express req.ip, so TRUST_PROXY applies). */
  address: string;
  /** The id of a valid device cookie for this name, or null. */
  deviceId: string | null;
}

/** Which limit refused a login: `global` means busy (503), the rest throttled (429). */
export type ThrottleLimit = 'pair' | 'address' | 'account' | 'global';

export type ThrottleVerdict = { allowed: true } | { allowed: false; limit: ThrottleLimit; retryAfterSeconds: number };

/** Consecutive failures of an account and client that are free of any wait. */
export const PAIR_FREE_FAILURES = 3;
const PAIR_MAX_WAIT_S = 15 * 60;
const ACCOUNT_MAX_WAIT_S = 60;
const DAY_S = 24 * 3600;

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
/** The wait left on a key blocked with `block()` (its points are over the limit), or 0. */
const waitOf = (res: RateLimiterRes | null, points: number): number => (res && res.consumedPoints > points && res.msBeforeNext > 0 ? seconds(res.msBeforeNext) : 0);

export class LoginThrottle {
  private readonly pairFailures: RateLimiterAbstract;
  private readonly pairWait: RateLimiterAbstract;
  private readonly addressFailures: RateLimiterAbstract;
  private readonly accountFailures: RateLimiterAbstract;
  private readonly accountWait: RateLimiterAbstract;
  private readonly attempts: RateLimiterAbstract;

  /** `limiters`: where the counts live (default this process's memory; Redis shares them between instances). */
  constructor(
    readonly settings: LoginThrottleSettings,
    limiters: LimiterFactory = memoryLimiters,
  ) {
    this.pairFailures = limiters('login_pair_fail', 1_000_000, DAY_S);
    this.pairWait = limiters('login_pair_wait', 1, 1);
    this.addressFailures = limiters('login_address_fail', settings.addressFailuresPerHour, 3600);
    this.accountFailures = limiters('login_account_fail', 1_000_000, 3600);
    this.accountWait = limiters('login_account_wait', 1, 1);
    this.attempts = limiters('login_attempts', settings.attemptsPerMinute, 60);
  }

  /** Whether the attempt may have its password checked; counts it against the global limit when it may. */
  async check(a: LoginAttempt): Promise<ThrottleVerdict> {
    const keys = this.keys(a);
    const pairWait = waitOf(await this.pairWait.get(keys.pair), 1);
    if (pairWait > 0) return { allowed: false, limit: 'pair', retryAfterSeconds: pairWait };
    if (a.deviceId) return { allowed: true };
    const fromAddress = await this.addressRefusal(keys.address);
    if (fromAddress) return fromAddress;
    const accountWait = waitOf(await this.accountWait.get(keys.account), 1);
    if (accountWait > 0) return { allowed: false, limit: 'account', retryAfterSeconds: accountWait };
    try {
      await this.attempts.consume('all');
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      return { allowed: false, limit: 'global', retryAfterSeconds: seconds(res.msBeforeNext) };
    }
    return { allowed: true };
  }

  /**
   * The limits that refuse a client without a device cookie whatever name it sends (its address's, then the
   * global one), read without counting anything: lets a flood be refused before its request body is read.
   */
  async refusalBeforeName(address: string): Promise<Exclude<ThrottleVerdict, { allowed: true }> | null> {
    const fromAddress = await this.addressRefusal(ipKeyGenerator(address));
    if (fromAddress) return fromAddress;
    const all = await this.attempts.get('all');
    if (all && all.consumedPoints >= this.settings.attemptsPerMinute) return { allowed: false, limit: 'global', retryAfterSeconds: seconds(all.msBeforeNext) };
    return null;
  }

  /** The refusal of an address past its hourly failures (its limiter key), or null. */
  private async addressRefusal(key: string): Promise<Exclude<ThrottleVerdict, { allowed: true }> | null> {
    const failures = await this.addressFailures.get(key);
    if (!failures || failures.consumedPoints < this.settings.addressFailuresPerHour) return null;
    return { allowed: false, limit: 'address', retryAfterSeconds: seconds(failures.msBeforeNext) };
  }

  /** Counts a failed password check; returns the limits this failure has just started (for the audit log). */
  async failed(a: LoginAttempt): Promise<Array<Exclude<ThrottleLimit, 'global'>>> {
    const keys = this.keys(a);
    const started: Array<Exclude<ThrottleLimit, 'global'>> = [];
    const pair = (await this.pairFailures.penalty(keys.pair)).consumedPoints;
    if (pair > PAIR_FREE_FAILURES) {
      await this.pairWait.block(keys.pair, Math.min(2 ** (pair - PAIR_FREE_FAILURES - 1), PAIR_MAX_WAIT_S));
      if (pair === PAIR_FREE_FAILURES + 1) started.push('pair');
    }
    if (a.deviceId) return started;
    const address = (await this.addressFailures.penalty(keys.address)).consumedPoints;
    if (address === this.settings.addressFailuresPerHour) started.push('address');
    const account = (await this.accountFailures.penalty(keys.account)).consumedPoints;
    const over = account - this.settings.accountFailuresPerHour;
    if (over >= 0) {
      await this.accountWait.block(keys.account, Math.min(2 ** over, ACCOUNT_MAX_WAIT_S));
      if (over === 0) started.push('account');
    }
    return started;
  }

  /** A successful login clears the back-off of its account and client. */
  async succeeded(a: LoginAttempt): Promise<void> {
    const { pair } = this.keys(a);
    await this.pairFailures.delete(pair);
    await this.pairWait.delete(pair);
  }

  private keys(a: LoginAttempt): { pair: string; address: string; account: string } {
    const account = `${loginKey(a.name)}#${a.epoch}`;
    const address = ipKeyGenerator(a.address);
    return { account, address, pair: `${account}|${a.deviceId ? `device:${a.deviceId}` : `address:${address}`}` };
  }
}
