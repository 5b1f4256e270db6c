/**
 * A restart re-sends what the last run left in the outbox and answers the messages it acknowledged without
 * answering. A SIGTERM that arrives while it does so (a deploy, a supervisor, the crash test's final stop) must
 * let it finish and exit cleanly: on a busy machine the crash test stopped the server half-way through, leaving
 * an answer pending and a question unanswered. The delay the busy machine caused is injected here by a slow
 * WeChat API, so the stop always lands in the middle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { conversationOf, messageActivity, postActivity } from './fakes/botframework-client.ts';
import { startFakeConnector } from './fakes/botframework-connector.ts';
import { startFakeWeChatApi } from './fakes/wechat-api.ts';
import { SHARED_MODEL_CACHE } from './support/paths.ts';
import { freePort, startServerProcess } from './support/server-process.ts';

const WX = { token: 'restartwxtoken', appId: 'wxrestart0123456', appSecret: 'restart-wechat-secret' };

describe('restart recovery', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'huiying-restart-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('finishes re-sending and answering before a SIGTERM that came meanwhile stops the server', async () => {
    const dir = tempDir();
    // What a run killed mid-delivery leaves: three answers in the outbox, two questions acknowledged but unanswered.
    const seed = new SqliteStore(join(dir, 'huiying.db'));
    await seed.write(async () => {
      for (let i = 1; i <= 3; i++) {
        const conversationId = `wechat:o-left-${i}`;
        await seed.addresses.save(conversationId, 'wechat', { openId: `o-left-${i}` });
        await seed.outbox.add(conversationId, 'wechat', [{ text: `left in the outbox ${i}` }], new Date());
      }
      for (let i = 1; i <= 2; i++) {
        const conversationId = `wechat:o-waiting-${i}`;
        await seed.addresses.save(conversationId, 'wechat', { openId: `o-waiting-${i}` });
        const message = { channel: 'wechat', conversationId, senderId: `o-waiting-${i}`, text: '居住证怎么办理', time: new Date(), platformMessageId: `9000${i}` };
        const { id } = await seed.messages.saveInbound(message);
        await seed.messages.awaitAnswer(id, new Date());
      }
    });
    await seed.close();
    const weixin = await startFakeWeChatApi(WX);
    weixin.delaySends(400);
    try {
      const server = await startServerProcess({
        dir,
        port: await freePort(),
        env: { MODEL_CACHE_DIR: SHARED_MODEL_CACHE, WECHAT_TOKEN: WX.token, WECHAT_APP_ID: WX.appId, WECHAT_APP_SECRET: WX.appSecret, WECHAT_API_BASE: weixin.url },
      });
      // Ready (listening) while the five sends, 400 ms each, are still going out.
      expect(await server.stop()).toBe(0);
      expect(weixin.sent.map((m) => m.touser).sort()).toEqual(['o-left-1', 'o-left-2', 'o-left-3', 'o-waiting-1', 'o-waiting-2']);
      const db = new Database(join(dir, 'huiying.db'), { readonly: true });
      try {
        expect(db.prepare("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").pluck().get()).toBe(0);
        expect(db.prepare('SELECT COUNT(*) FROM awaiting_answers').pluck().get()).toBe(0);
      } finally {
        db.close();
      }
    } finally {
      await weixin.stop();
    }
  }, 240_000);

  it('re-sends a Bot Framework answer that a kill -9 caught between storing and sending, and answers a retry of it once', async () => {
    const dir = tempDir();
    const connector = await startFakeConnector();
    const env = { MODEL_CACHE_DIR: SHARED_MODEL_CACHE, BOTFRAMEWORK_EMULATOR: '1' };
    const port = await freePort();
    try {
      const first = await startServerProcess({ dir, port, env });
      // The connector takes the answer in but does not answer: the turn is stored, the send has not completed.
      connector.holdSends(true);
      const activity = messageActivity(connector, 'kill-citizen', '居住证怎么办理', 'activity-1');
      const posting = postActivity(first.url, activity).catch(() => null);
      const deadline = Date.now() + 60_000;
      while (connector.held() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(connector.held()).toBe(1);
      await first.kill9();
      // Bot Service got no 200 and delivers the activity again, to the restarted bot.
      expect(await posting).toBeNull();
      connector.holdSends(false);
      const second = await startServerProcess({ dir, port, env });
      expect((await postActivity(second.url, activity)).status).toBe(200);
      expect(await second.stop()).toBe(0);
      const got = connector.forConversation(conversationOf('kill-citizen'));
      expect(got.map((a) => String(a.activity.text))).toEqual([expect.stringContaining('居住证')]);
    } finally {
      await connector.stop();
    }
  }, 300_000);
});
