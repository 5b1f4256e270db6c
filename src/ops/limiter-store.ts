/** express-rate-limit's counter store over a rate-limiter-flexible limiter (in memory, or in Redis with its insurance). */
import type { ClientRateLimitInfo, Store } from 'express-rate-limit';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';

export class LimiterStore implements Store {
  /** False when the counts are shared with other instances (Redis). */
  readonly localKeys: boolean;

  constructor(
    private readonly limiter: RateLimiterAbstract,
    readonly prefix: string,
    shared: boolean,
  ) {
    this.localKeys = !shared;
  }

  /** Counts one hit of `key` (never refused here: the caller compares the total with its limit). */
  async increment(key: string): Promise<ClientRateLimitInfo> {
    const res = await this.limiter.penalty(key, 1);
    return { totalHits: res.consumedPoints, resetTime: new Date(Date.now() + res.msBeforeNext) };
  }

  async decrement(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }

  async resetKey(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}
