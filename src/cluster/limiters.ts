/** Rate limiters (rate-limiter-flexible): in memory for one instance, in Redis shared by all of a deployment. */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Makes the limiter of one kind of count: `points` in `duration` seconds per key. */
export type LimiterFactory = (keyPrefix: string, points: number, duration: number) => RateLimiterAbstract;

export const memoryLimiters: LimiterFactory = (keyPrefix, points, duration) => new RateLimiterMemory({ keyPrefix, points, duration });

/**
 * Limiters counting in Redis. While Redis cannot be reached each instance counts in its own memory instead
 * (the insurance limiter), so an outage neither lets everything through nor refuses everyone.
 */
export function redisLimiters(redis: Redis, prefix: string): LimiterFactory {
  return (keyPrefix, points, duration) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}${keyPrefix}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
    });
}
