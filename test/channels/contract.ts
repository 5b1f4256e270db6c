/**
 * The contract every channel adapter passes: the same citizen-visible behaviour on every platform,
 * driven through the platform's real protocol against a fake platform server (or puppet) on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../support/test-server.ts';

/** One message as the citizen sees it on the platform, reduced to what the contract checks. */
export interface SeenMessage {
  text: string;
  /** Labels of tappable buttons (empty on text-only platforms, where the numbered list is in the text). */
  buttons: string[];
}

/** Drives one channel the way its platform would. */
export interface ChannelDriver {
  server: TestServer;
  /** The core's conversation id for a citizen of this channel. */
  conversationId(user: string): string;
  /** Delivers a citizen's text the way the platform does, with the platform's message id. */
  say(user: string, text: string, platformMessageId: string): Promise<void>;
  /**
   * Picks choice number `n` (1-based) of the last message with choices: a button tap where the platform
   * has buttons, else the text "n".
   */
  pick(user: string, n: number, platformMessageId: string): Promise<void>;
  /** Everything the platform has shown this citizen so far, oldest first. */
  seen(user: string): Promise<SeenMessage[]>;
  /**
   * Sends a malformed or unauthenticated payload. Resolves with the HTTP status where the channel is a
   * webhook, or null where the platform hands over parsed objects (Wechaty) and the adapter ignores it.
   */
  sendBadPayload(): Promise<number | null>;
  stop(): Promise<void>;
}

/** Waits until the citizen has seen at least `count` messages. */
async function seenAtLeast(driver: ChannelDriver, user: string, count: number, timeoutMs = 8000): Promise<SeenMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await driver.seen(user);
    if (seen.length >= count) return seen;
    if (Date.now() > deadline) throw new Error(`expected ${count} messages for ${user}, saw ${seen.length}: ${JSON.stringify(seen)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function describeChannelContract(name: string, start: () => Promise<ChannelDriver>): void {
  describe(`${name}: channel contract`, () => {
    let driver: ChannelDriver;
    beforeAll(async () => {
      driver = await start();
    });
    afterAll(async () => {
      await driver?.stop();
    });

    it('answers a question from the knowledge base', async () => {
      await driver.say('citizen-answer', '居住证怎么办理', 'm-answer-1');
      const [reply] = await seenAtLeast(driver, 'citizen-answer', 1);
      expect(reply?.text).toContain('居住证');
      expect(reply?.text).toMatch(/办理|申领/);
    });

    it('offers choices when unsure, and a pick answers with the chosen entry', async () => {
      await driver.say('citizen-choice', '驾驶证', 'm-choice-1');
      const seen = await seenAtLeast(driver, 'citizen-choice', 1);
      const question = seen.at(-1)!;
      const options = question.buttons.length > 0 ? question.buttons : [...question.text.matchAll(/^\d+\.\s*(.+)$/gm)].map((m) => m[1]!);
      expect(options.length).toBeGreaterThanOrEqual(2);
      expect(question.text + question.buttons.join()).toContain('驾驶证');
      const replacement = options.findIndex((o) => /补领|遗失|损毁/.test(o));
      expect(replacement).toBeGreaterThanOrEqual(0);
      await driver.pick('citizen-choice', replacement + 1, 'm-choice-2');
      const after = await seenAtLeast(driver, 'citizen-choice', seen.length + 1);
      const answer = after.at(-1)!;
      // The answer is about the option picked, not a new question back.
      expect(answer.text).not.toContain('您是想问');
      expect(answer.text).toMatch(/补领|遗失|损毁/);
    });

    it('admits it cannot answer and offers a person', async () => {
      await driver.say('citizen-miss', '量子计算机原理', 'm-miss-1');
      const [reply] = await seenAtLeast(driver, 'citizen-miss', 1);
      expect(reply?.text).toContain('暂时无法回答');
      expect((reply?.text ?? '') + reply?.buttons.join()).toContain('转人工');
      const demand = (await driver.server.store.demand.list()).filter((d) => d.conversationId === driver.conversationId('citizen-miss'));
      expect(demand.map((d) => d.reason)).toContain('no_match');
    });

    it('delivers a reply written later (a staff answer) on the same channel', async () => {
      await driver.say('citizen-later', '你好', 'm-later-1');
      const before = await seenAtLeast(driver, 'citizen-later', 1);
      const result = await driver.server.outbound.deliver(driver.conversationId('citizen-later'), [
        { text: '工作人员：您好，您的材料已审核通过。' },
      ]);
      expect(result).toEqual({ status: 'sent' });
      const after = await seenAtLeast(driver, 'citizen-later', before.length + 1);
      expect(after.at(-1)?.text).toContain('您的材料已审核通过');
    });

    it('answers a platform retry of the same message only once', async () => {
      await driver.say('citizen-retry', '护照怎么换发', 'm-retry-1');
      await seenAtLeast(driver, 'citizen-retry', 1);
      await driver.say('citizen-retry', '护照怎么换发', 'm-retry-1');
      await new Promise((r) => setTimeout(r, 300));
      expect(await driver.seen('citizen-retry')).toHaveLength(1);
      const stored = await driver.server.store.messages.listByConversation(driver.conversationId('citizen-retry'));
      expect(stored.filter((m) => m.direction === 'in')).toHaveLength(1);
    });

    it('rejects a bad payload without crashing and keeps answering', async () => {
      const status = await driver.sendBadPayload();
      if (status !== null) {
        expect(status).toBeGreaterThanOrEqual(400);
        expect(status).toBeLessThan(500);
      }
      await driver.say('citizen-after-bad', '社保卡怎么办理', 'm-after-bad-1');
      const [reply] = await seenAtLeast(driver, 'citizen-after-bad', 1);
      expect(reply?.text).toContain('社会保障卡');
    });
  });
}
