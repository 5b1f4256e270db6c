/**
 * The server's password checks on a thread of their own: one piscina thread (at a lower CPU priority) runs
 * scrypt with a short queue in front of it, so a flood of logins takes at most one core and 16 MB of scrypt
 * memory (more for older hashes), never libuv's thread pool (where the database writer's fsync runs), and a
 * full queue is refused at once.
 */
import { Piscina } from 'piscina';
import { formatHash, KEY_LENGTH, keysMatch, MAX_MEM, newHashInput, scryptCheck, type ScryptInput } from './passwords.ts';

/** The hashing queue is full: the login is refused at once (503 with Retry-After). */
export class HasherBusyError extends Error {
  override name = 'HasherBusyError';
}

export interface PasswordHasherOptions {
  /** Checks that may wait for the thread; more are refused (LOGIN_HASH_QUEUE). */
  maxQueue: number;
}

export class PasswordHasher {
  private readonly pool: Piscina;

  constructor(private readonly options: PasswordHasherOptions) {
    this.pool = new Piscina({
      filename: new URL('./scrypt-worker.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: 60_000,
      // One more place than anonymous logins may take, kept for browsers with a device cookie (`trusted`).
      maxQueue: options.maxQueue + 1,
      // Below the threads answering citizens when they compete for a core (Linux; ignored elsewhere).
      niceIncrement: 10,
    });
  }

  /** Checks waiting for the thread now (the one being hashed not included). */
  get queued(): number {
    return this.pool.queueSize;
  }

  /**
   * Whether `password` matches `stored`; throws HasherBusyError when the queue is full. A `trusted` login (a
   * browser with the account's device cookie) may take the one place kept free of anonymous ones.
   */
  async verify(password: string, stored: string, trusted = false): Promise<boolean> {
    const check = scryptCheck(password, stored);
    if (!check) return false;
    return keysMatch(await this.derive(check.input, trusted), check.expected);
  }

  /** A new hash of `password` (current parameters), on the thread; throws HasherBusyError when the queue is full. */
  async hash(password: string): Promise<string> {
    const input = newHashInput(password);
    return formatHash(input, await this.derive(input, false));
  }

  /** scrypt of `input` on the thread, unless the queue is full (HasherBusyError); `trusted` may take the place kept free. */
  private async derive(input: ScryptInput, trusted: boolean): Promise<Uint8Array> {
    if (this.pool.queueSize >= this.options.maxQueue + (trusted ? 1 : 0)) throw new HasherBusyError('the password-hashing queue is full');
    return (await this.pool.run({ ...input, keyLength: KEY_LENGTH, maxmem: MAX_MEM }).catch((err: Error) => {
      throw /queue is at limit/i.test(err.message) ? new HasherBusyError('the password-hashing queue is full') : err;
    })) as Uint8Array;
  }

  /** Stops the thread (checks in flight are rejected). */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
