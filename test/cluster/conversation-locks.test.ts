import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConversationLocks } from '../../src/cluster/conversation-locks.ts';
import { connectRedis } from '../../src/cluster/redis-connection.ts';
import { freePort } from '../support/server-process.ts';
import { testPrefix, testRedis } from '../support/redis.ts';

const redisUrl = await testRedis('conversation locks on Redis');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!redisUrl)('one conversation answered one message at a time across instances', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl!);
  });
  afterAll(() => redis.disconnect());

  /** Runs `count` turns of 30 ms on each of two instances at once; returns each turn's [start, end]. */
  async function turns(a: RedisConversationLocks, b: RedisConversationLocks, conversationOf: (i: number) => string, count: number): Promise<Array<[number, number]>> {
    const spans: Array<[number, number]> = [];
    const turn = async (): Promise<void> => {
      const start = performance.now();
      await sleep(30);
      spans.push([start, performance.now()]);
    };
    await Promise.all(Array.from({ length: count * 2 }, (_, i) => (i % 2 ? a : b).run(conversationOf(i), turn)));
    return spans.sort((x, y) => x[0] - y[0]);
  }

  it('turns of one conversation on two instances never overlap; turns of different conversations do', async () => {
    const prefix = testPrefix();
    const a = new RedisConversationLocks(redis, prefix);
    const b = new RedisConversationLocks(redis, prefix);
    const same = await turns(a, b, () => 'web:one-conversation', 5);
    for (let i = 1; i < same.length; i++) expect(same[i]![0]).toBeGreaterThanOrEqual(same[i - 1]![1]);
    const different = await turns(a, b, (i) => `web:conversation-${i}`, 5);
    expect(different.some((span, i) => i > 0 && span[0] < different[i - 1]![1])).toBe(true);
  });

  it('a turn longer than the lock’s life keeps the lock: the other instance’s turn waits for its end', async () => {
    const prefix = testPrefix();
    const a = new RedisConversationLocks(redis, prefix, { ttlMs: 300 });
    const b = new RedisConversationLocks(redis, prefix, { ttlMs: 300 });
    let aEnded = 0;
    const long = a.run('web:long-turn', async () => {
      await sleep(1_000);
      aEnded = performance.now();
    });
    await sleep(50);
    const bStarted = await b.run('web:long-turn', async () => performance.now());
    await long;
    expect(bStarted).toBeGreaterThanOrEqual(aEnded);
  });

  it('a lock left by an instance that died runs out, and the next turn goes ahead', async () => {
    const prefix = testPrefix();
    await redis.set(`${prefix}conversation-lock:web:orphaned`, 'dead-instance', 'PX', 300);
    const locks = new RedisConversationLocks(redis, prefix);
    const started = performance.now();
    expect(await locks.run('web:orphaned', async () => 'answered')).toBe('answered');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('answers anyway after waiting maxWaitMs for a turn that does not end, and when Redis cannot be reached', async () => {
    const prefix = testPrefix();
    await redis.set(`${prefix}conversation-lock:web:stuck`, 'slow-instance', 'PX', 60_000);
    const locks = new RedisConversationLocks(redis, prefix, { maxWaitMs: 200 });
    const started = performance.now();
    expect(await locks.run('web:stuck', async () => 'answered')).toBe('answered');
    expect(performance.now() - started).toBeLessThan(5_000);
    // The stuck holder's lock is not taken over or removed by the turn that went ahead.
    expect(await redis.get(`${prefix}conversation-lock:web:stuck`)).toBe('slow-instance');

    const down = connectRedis(`redis://127.0.0.1:${await freePort()}`, 'down');
    down.on('error', () => undefined);
    await down.connect().catch(() => undefined);
    try {
      expect(await new RedisConversationLocks(down, prefix).run('web:x', async () => 'answered')).toBe('answered');
    } finally {
      down.disconnect();
    }
  });
});
