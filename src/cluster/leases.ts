/**
 * Work that must run once per deployment, not once per instance (expiry sweeps, retention, token refresh):
 * the instance holding a named lease does it; when the holder dies its lease runs out and another takes it.
 */
import type { Redis } from 'ioredis';
import { releaseIfHeld } from './redis-connection.ts';

export interface Leases {
  /**
   * Takes the lease `name` for `ttlMs` when it is free, or extends it when this instance holds it; true when
   * this instance holds it now. Call it before each run, with a `ttlMs` longer than the time between runs.
   * False when the lease store cannot be reached (then nobody runs the work until it can).
   */
  hold(name: string, ttlMs: number): Promise<boolean>;
  /** Gives up every lease this instance holds (at shutdown, so another instance takes over at once). */
  releaseAll(): Promise<void>;
}

/** A single instance holds every lease. */
export class LocalLeases implements Leases {
  async hold(): Promise<boolean> {
    return true;
  }

  async releaseAll(): Promise<void> {}
}

/** Extends the lease when this instance holds it, takes it when nobody does; 1 when held afterwards. */
const HOLD = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

/** Leases as Redis keys holding the holder's instance id, set with NX and an expiry. */
export class RedisLeases implements Leases {
  private readonly held = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
    private readonly prefix: string,
  ) {}

  async hold(name: string, ttlMs: number): Promise<boolean> {
    const key = `${this.prefix}lease:${name}`;
    try {
      const held = (await this.redis.eval(HOLD, 1, key, this.instanceId, String(Math.ceil(ttlMs)))) === 1;
      if (held) this.held.add(key);
      else this.held.delete(key);
      return held;
    } catch {
      return false;
    }
  }

  async releaseAll(): Promise<void> {
    for (const key of this.held) await releaseIfHeld(this.redis, key, this.instanceId);
    this.held.clear();
  }
}
