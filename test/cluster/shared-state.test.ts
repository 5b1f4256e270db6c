import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLeases } from '../../src/cluster/leases.ts';
import { redisLimiters } from '../../src/cluster/limiters.ts';
import { connectRedis } from '../../src/cluster/redis-connection.ts';
import { LoginThrottle } from '../../src/handoff/login-throttle.ts';
import { CitizenRateLimits } from '../../src/ops/rate-limits.ts';
import { freePort } from '../support/server-process.ts';
import { testPrefix, testRedis } from '../support/redis.ts';

const redisUrl = await testRedis('leases and shared limits on Redis');

describe.skipIf(!redisUrl)('what the instances share in Redis', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(redisUrl!);
  });
  afterAll(() => redis.disconnect());

  it('leases: one holder at a time; the holder keeps it; another takes it once released or run out', async () => {
    const prefix = testPrefix();
    const a = new RedisLeases(redis, 'a', prefix);
    const b = new RedisLeases(redis, 'b', prefix);
    const TTL = 2000;
    expect(await a.hold('sweep', TTL)).toBe(true);
    expect(await b.hold('sweep', TTL)).toBe(false);
    // The holder extends it before it runs out: 1.2 s and 1.2 s later (past the first expiry) it still holds it.
    await new Promise((r) => setTimeout(r, 1200));
    expect(await a.hold('sweep', TTL)).toBe(true);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await b.hold('sweep', TTL)).toBe(false);
    // The holder dies (stops extending): the lease runs out and the other takes it.
    await redis.pexpire(`${prefix}lease:sweep`, 50);
    await new Promise((r) => setTimeout(r, 100));
    expect(await b.hold('sweep', TTL)).toBe(true);
    expect(await a.hold('sweep', TTL)).toBe(false);
    // A shutdown gives its leases up at once.
    await b.releaseAll();
    expect(await a.hold('sweep', TTL)).toBe(true);
    // Leases of other names are independent.
    expect(await b.hold('retention', TTL)).toBe(true);
  });

  it('citizen rate limits are counted together by every instance', async () => {
    const prefix = testPrefix();
    const settings = { ipPerMinute: 3, conversationPerMinute: 2 };
    const a = new CitizenRateLimits(settings, redisLimiters(redis, prefix), true);
    const b = new CitizenRateLimits(settings, redisLimiters(redis, prefix), true);
    const allowed = [await a.allowAddress('198.51.100.7'), await b.allowAddress('198.51.100.7'), await a.allowAddress('198.51.100.7'), await b.allowAddress('198.51.100.7')];
    expect(allowed).toEqual([true, true, true, false]);
    expect(await a.allowAddress('198.51.100.8')).toBe(true);
    expect([await a.conversation('web:x'), await b.conversation('web:x'), await a.conversation('web:x'), await b.conversation('web:x')]).toEqual(['ok', 'ok', 'notify', 'drop']);
  });

  it('login throttling counts one address’s failures across instances', async () => {
    const prefix = testPrefix();
    const settings = { addressFailuresPerHour: 2, accountFailuresPerHour: 100, attemptsPerMinute: 100 };
    const a = new LoginThrottle(settings, redisLimiters(redis, prefix));
    const b = new LoginThrottle(settings, redisLimiters(redis, prefix));
    const attempt = { name: 'nobody', epoch: 0, address: '203.0.113.9', deviceId: null };
    expect((await a.check(attempt)).allowed).toBe(true);
    await a.failed(attempt);
    await b.failed({ ...attempt, name: 'someone-else' });
    const third = await b.check({ ...attempt, name: 'a-third-name' });
    expect(third).toMatchObject({ allowed: false, limit: 'address' });
  });

  it('with Redis unreachable each instance counts in its own memory instead: limits still hold, nothing throws', async () => {
    const down = connectRedis(`redis://127.0.0.1:${await freePort()}`, 'down');
    down.on('error', () => undefined);
    await down.connect().catch(() => undefined);
    try {
      const limits = new CitizenRateLimits({ ipPerMinute: 2, conversationPerMinute: 0 }, redisLimiters(down, testPrefix()), true);
      expect([await limits.allowAddress('192.0.2.1'), await limits.allowAddress('192.0.2.1'), await limits.allowAddress('192.0.2.1')]).toEqual([true, true, false]);
    } finally {
      down.disconnect();
    }
  });
});
