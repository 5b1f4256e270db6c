/** Connections to the deployment's Redis (REDIS_URL): reconnecting by themselves, failing fast while it is down. */
import { Redis } from 'ioredis';

/** A Redis connection that never queues commands while disconnected (callers get an error at once and degrade). */
export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    // Reconnect for ever, at most every 2 s: a Redis restart must not need a Huiying restart.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: true,
  });
}

/** Deletes `key` only while it still holds `token` (a lock or lease is released by its holder, never by another). */
const RELEASE_IF_HELD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

const EXTEND_IF_HELD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

/** Extends the lock `key` to `ttlMs` from now if `token` still holds it; false when it does not (or Redis cannot be reached). */
export async function extendIfHeld(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await redis.eval(EXTEND_IF_HELD, 1, key, token, String(Math.ceil(ttlMs))).catch(() => 0)) === 1;
}

/** Releases the lock or lease `key` if `token` still holds it; a Redis that cannot be reached lets it run out instead. */
export async function releaseIfHeld(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(RELEASE_IF_HELD, 1, key, token).catch(() => undefined);
}

/** Why a connection is not usable, in words, or null when it is ready. */
export function redisProblem(redis: Redis, lastError: string | null): string | null {
  if (redis.status === 'ready') return null;
  return `redis is ${redis.status}${lastError ? `: ${lastError}` : ''}`;
}
