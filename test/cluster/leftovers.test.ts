/**
 * What a dead instance left (replies stored but not sent, messages acknowledged but not answered) is picked up
 * exactly once when the instances of a deployment start together: only the sweep lease's holder does it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startFakeWeChatApi } from '../fakes/wechat-api.ts';
import { SHARED_MODEL_CACHE } from '../support/paths.ts';
import { testPrefix, testRedis } from '../support/redis.ts';
import { freePort, startServerProcess } from '../support/server-process.ts';
import { eventually } from '../support/test-server.ts';

const redisUrl = await testRedis('leftovers picked up once across instances');
const WX = { token: 'leftoverswxtoken', appId: 'wxc0ffee0123456789', appSecret: 'leftovers-wechat-secret' };
const LEFT = 5;

describe.skipIf(!redisUrl)('instances starting together after a crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huiying-leftovers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answer each message left unanswered and send each reply left unsent once, not once per instance', { timeout: 240_000 }, async () => {
    const weixin = await startFakeWeChatApi(WX);
    const prefix = testPrefix();
    const env = (id: string): NodeJS.ProcessEnv => ({
      MODEL_CACHE_DIR: SHARED_MODEL_CACHE,
      REDIS_URL: redisUrl!,
      REDIS_PREFIX: prefix,
      INSTANCE_ID: id,
      WECHAT_TOKEN: WX.token,
      WECHAT_APP_ID: WX.appId,
      WECHAT_APP_SECRET: WX.appSecret,
      WECHAT_API_BASE: weixin.url,
      WECHAT_REPLY_BUDGET_MS: '0',
    });
    try {
      // Once alone, so that the database, its key file and the key's fingerprint in Redis exist; then what a crash left two minutes ago.
      await (await startServerProcess({ dir, port: await freePort(), env: env('a') })).stop();
      const seed = new SqliteStore(join(dir, 'huiying.db'));
      const left = new Date(Date.now() - 120_000);
      await seed.write(async () => {
        for (let i = 1; i <= LEFT; i++) {
          const conversationId = `wechat:o-left-${i}`;
          await seed.addresses.save(conversationId, 'wechat', { openId: `o-left-${i}` });
          const { id } = await seed.messages.saveInbound({ channel: 'wechat', conversationId, senderId: `o-left-${i}`, text: '居住证怎么办理', time: left, platformMessageId: `9100${i}` });
          await seed.messages.awaitAnswer(id, left);
          await seed.outbox.add(conversationId, 'wechat', [{ text: `稍后回复 ${i}` }], left);
        }
      });
      await seed.close();

      const instances = await Promise.all(['a', 'b'].map(async (id) => startServerProcess({ dir, port: await freePort(), env: env(id) })));
      const store = new SqliteStore(join(dir, 'huiying.db'));
      try {
        await eventually(async () => ((await store.outbox.pending()).length === 0 && (await store.messages.awaitingAnswers()).length === 0 ? true : undefined), 60_000, 'the leftovers picked up');
        // Give a second (wrong) pick-up time to happen before counting.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        for (let i = 1; i <= LEFT; i++) {
          const transcript = await store.messages.listByConversation(`wechat:o-left-${i}`);
          expect(transcript.filter((m) => m.direction === 'out').length, `answers stored for o-left-${i}`).toBe(1);
          expect(weixin.sent.filter((m) => m.touser === `o-left-${i}` && m.content.startsWith('稍后回复')).length, `old reply sent to o-left-${i}`).toBe(1);
          expect(weixin.sent.filter((m) => m.touser === `o-left-${i}` && !m.content.startsWith('稍后回复')).length, `answers sent to o-left-${i}`).toBe(1);
        }
      } finally {
        await store.close();
        await Promise.all(instances.map((instance) => instance.stop()));
      }
    } finally {
      await weixin.stop();
    }
  });
});
