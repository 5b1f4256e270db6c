/**
 * WeChat is told "success" as soon as a message is stored, and the answer follows. When the server stops in
 * between (here: the answer fails, then the server restarts), the next start answers the message through the
 * customer-service API, once; a message acknowledged more than a day before is left alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wechatChannel } from '../channels/wechat/index.ts';
import type { Engine } from '../src/core/engine.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from './fakes/wechat-api.ts';
import { WeChatCallbackClient } from './fakes/wechat-callback.ts';
import { eventually, startTestServer, type TestServer } from './support/test-server.ts';

const WX = { token: 'awaitingtoken', appId: 'wxa0a0a0a0a0a0a0a0', appSecret: 'awaiting-secret' };

let api: FakeWeChatApi;
let dir: string;
let server: TestServer | undefined;

beforeAll(async () => {
  api = await startFakeWeChatApi(WX);
  dir = mkdtempSync(join(tmpdir(), 'huiying-awaiting-'));
});

afterAll(async () => {
  await server?.stop();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const start = (): Promise<TestServer> =>
  startTestServer({
    dir,
    channels: [wechatChannel],
    // No reply budget: WeChat gets "success" as soon as the message is stored, and the answer comes later.
    env: { WECHAT_TOKEN: WX.token, WECHAT_APP_ID: WX.appId, WECHAT_APP_SECRET: WX.appSecret, WECHAT_API_BASE: api.url, WECHAT_REPLY_BUDGET_MS: '0' },
  });

describe('messages acknowledged but not answered', () => {
  it('are answered after a restart, once; those acknowledged over a day before are left alone', async () => {
    server = await start();
    const wechat = new WeChatCallbackClient({ url: `${server.url}/channels/wechat`, token: WX.token, appId: WX.appId });
    const real = server.service.engineOnThisThread!;
    server.service.setEngine({ knowledgeBase: real.knowledgeBase, respond: () => Promise.reject(new Error('the model crashed')) } as unknown as Engine);
    expect(await wechat.text('o-waiting', '居住证怎么办理?', '5001')).toMatchObject({ status: 200, body: 'success' });
    expect(await wechat.text('o-old', '公积金怎么提取', '5002')).toMatchObject({ status: 200, body: 'success' });
    // Stopping waits for the answers in flight: both failed, nothing reached the citizens.
    await server.close();
    expect(api.messagesFor('o-waiting')).toEqual([]);
    // The second was acknowledged 25 hours ago.
    const db = new Database(join(dir, 'test.db'));
    db.prepare("UPDATE awaiting_answers SET created_at = created_at - 25 * 3600000 WHERE message_id = (SELECT id FROM messages WHERE platform_message_id = '5002')").run();
    db.close();

    server = await start();
    const late = await eventually(() => api.messagesFor('o-waiting')[0], 8000, 'the answer after the restart');
    expect(late.content).toContain('居住证');
    const transcript = (await server.store.messages.listByConversation('wechat:o-waiting')).map((m) => m.direction);
    expect(transcript).toEqual(['in', 'out']);
    expect(api.messagesFor('o-old')).toEqual([]);
    expect(await server.store.messages.awaitingAnswers()).toEqual([]);
    // WeChat's own retry of the message is still recognised: no second answer.
    const again = new WeChatCallbackClient({ url: `${server.url}/channels/wechat`, token: WX.token, appId: WX.appId });
    expect(await again.text('o-waiting', '居住证怎么办理?', '5001')).toMatchObject({ status: 200, body: 'success' });
    await server.close();
    expect(api.messagesFor('o-waiting')).toHaveLength(1);

    // A third start has nothing left to answer.
    server = await start();
    expect(api.messagesFor('o-waiting')).toHaveLength(1);
    expect(api.messagesFor('o-old')).toEqual([]);
  });
});
