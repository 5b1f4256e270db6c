/**
 * Durability under crashes: the real server under load (HTTP API, Telegram webhook, WeChat callback, a staff
 * member replying) is killed with SIGKILL twice and restarted. Every message that got a 2xx must be stored
 * exactly once, every reply decided for Telegram (bot answers, staff replies) and WeChat (passive or later
 * answers) must have reached the (fake) platform, and claimed cases must still be claimed. It fails if a
 * channel acknowledged before the commit was durable.
 */
import { describe, expect, it } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';
import { SHARED_MODEL_CACHE } from './support/paths.ts';

describe('crash recovery', () => {
  it('keeps every acknowledged message, sends every decided reply and keeps cases after kill -9', async () => {
    const report = await runCrashScenario({ crashes: 2, loadMs: 2000, senders: 4, modelCacheDir: SHARED_MODEL_CACHE });
    expect(report.problems).toEqual([]);
    // The run really was under load, with cases and staff replies in flight.
    expect(report.acknowledged.length).toBeGreaterThan(50);
    expect(report.askedForPerson.length).toBeGreaterThan(0);
    expect(report.staffReplies.length).toBeGreaterThan(0);
    expect(report.passiveReplies.length).toBeGreaterThan(0);
    expect(report.wechatApiSends).toBeGreaterThan(0);
  }, 240_000);
});
