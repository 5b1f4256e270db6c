/**
 * Durability under crashes: the real server under load (HTTP API, Telegram webhook, WeChat callback, Bot
 * Framework endpoint, a staff member replying) is killed with SIGKILL twice and restarted, then stopped with
 * SIGTERM. Every message that got a 2xx must be stored exactly once, every reply decided for Telegram (bot
 * answers, staff replies), WeChat (passive or later answers) and Bot Framework must have reached the (fake)
 * platform, and claimed cases must still be claimed. It fails if a channel acknowledged before the commit was
 * durable, or sent an answer it had not written to the outbox first.
 *
 * The fake WeChat API and Bot Framework connector answer each send after 250 ms: the delay a busy machine
 * caused when this test once failed ("outbox items still pending after the restart"). Each kill then leaves
 * answers in the outbox, and the last start is still re-sending them when the SIGTERM comes, which must let
 * that finish rather than end the process half-way.
 */
import { describe, expect, it } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';
import { SHARED_MODEL_CACHE } from './support/paths.ts';

describe('crash recovery', () => {
  it('keeps every acknowledged message, sends every decided reply and keeps cases after kill -9', async () => {
    const report = await runCrashScenario({ crashes: 2, loadMs: 2000, senders: 4, platformDelayMs: 250, modelCacheDir: SHARED_MODEL_CACHE });
    expect(report.problems).toEqual([]);
    // The run really was under load, with cases and staff replies in flight.
    expect(report.acknowledged.length).toBeGreaterThan(50);
    expect(report.askedForPerson.length).toBeGreaterThan(0);
    expect(report.staffReplies.length).toBeGreaterThan(0);
    expect(report.passiveReplies.length).toBeGreaterThan(0);
    expect(report.wechatApiSends).toBeGreaterThan(0);
    expect(report.botframeworkSends).toBeGreaterThan(0);
  }, 420_000);
});
