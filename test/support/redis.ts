/**
 * The Redis of the tests: REDIS_TEST_URL or redis://127.0.0.1:6379. Suites needing it are skipped, with a
 * plain line saying so, where none answers; under CI=true a missing Redis fails instead.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** The URL when a Redis answers there; null (and a line on stderr) when none does and CI is not set. */
export async function testRedis(suite: string): Promise<string | null> {
  if (await answers(REDIS_TEST_URL)) return REDIS_TEST_URL;
  if (process.env.CI === 'true') throw new Error(`${suite}: no Redis answers at ${REDIS_TEST_URL}, and under CI=true nothing may be skipped (.ci/run starts it)`);
  console.warn(`skipped: ${suite} (no Redis at ${REDIS_TEST_URL}; start one, or set REDIS_TEST_URL)`);
  return null;
}

/** A key prefix of its own for one test, so that tests never see each other's keys. */
export const testPrefix = (): string => `huiying-test-${randomBytes(4).toString('hex')}:`;
