/**
 * Staff replies reach citizens on the channel they used (Telegram, WeChat); a refused late message shows
 * as undeliverable; and a restart keeps open cases, assignments and unsent replies, which then go out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramChannel } from '../channels/telegram/index.ts';
import { wechatChannel } from '../channels/wechat/index.ts';
import { startFakeTelegramApi, textUpdate, type FakeTelegramApi } from './fakes/telegram-api.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from './fakes/wechat-api.ts';
import { WeChatCallbackClient } from './fakes/wechat-callback.ts';
import { createStaff, login } from './support/staff-client.ts';
import { eventually, FakeClock, startTestServer, type TestServer } from './support/test-server.ts';

const TG_TOKEN = '123456789:handoff-test-token';
const TG_SECRET = 'handoff-secret_1';
const WX = { token: 'huiyingtoken', appId: 'wx1234567890abcdef', appSecret: 'secret-0123456789' };
const clock = new FakeClock(new Date('2026-11-26T10:00:00+08:00'));

let telegram: FakeTelegramApi;
let weixin: FakeWeChatApi;
let server: TestServer;
let updateId = 900_000;

const env = (): NodeJS.ProcessEnv => ({
  ...telegram.webhookEnv(TG_SECRET),
  WECHAT_TOKEN: WX.token,
  WECHAT_APP_ID: WX.appId,
  WECHAT_APP_SECRET: WX.appSecret,
  WECHAT_API_BASE: weixin.url,
});

async function telegramSays(chatId: number, text: string): Promise<void> {
  const res = await fetch(`${server.url}/channels/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TG_SECRET },
    body: JSON.stringify(textUpdate({ updateId: updateId++, chatId, text })),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  telegram = await startFakeTelegramApi(TG_TOKEN);
  weixin = await startFakeWeChatApi({ appId: WX.appId, appSecret: WX.appSecret });
  server = await startTestServer({ channels: [telegramChannel, wechatChannel], env: env(), now: clock.now });
  await createStaff(server.store, 'desk', 'agent', ['public-security', 'general', 'traffic-police']);
});

afterAll(async () => {
  await server?.stop();
  await telegram?.stop();
  await weixin?.stop();
});

describe('staff replies on the citizen\'s own channel', () => {
  it('Telegram: a case opened in Telegram gets the staff reply through the Bot API', async () => {
    await telegramSays(4242, '护照丢了怎么办');
    await telegramSays(4242, '转人工');
    const opened = telegram.sentTo(4242).at(-1)!;
    expect(String(opened.text)).toMatch(/您的咨询已转人工，编号 HY-/);
    const caseId = (await server.store.escalations.findOpen('telegram:4242'))!.id;
    const desk = await login(server.url, 'desk');
    expect((await desk.post(`/api/v1/escalations/${caseId}/claim`)).status).toBe(200);
    const reply = await desk.post(`/api/v1/escalations/${caseId}/messages`, { text: '请先到派出所挂失，再到出入境大厅补办。' });
    expect(reply.body.delivery).toEqual({ status: 'sent' });
    expect(String(telegram.sentTo(4242).at(-1)!.text)).toContain('请先到派出所挂失');
    // While staff hold the conversation the bot does not answer.
    const before = telegram.sentTo(4242).length;
    await telegramSays(4242, '好的，需要带什么材料?');
    expect(telegram.sentTo(4242)).toHaveLength(before);
  });

  it('WeChat: the staff reply goes out through the customer-service API; a closed 48-hour window shows as undeliverable', async () => {
    const wechat = new WeChatCallbackClient({ url: `${server.url}/channels/wechat`, token: WX.token, appId: WX.appId });
    await wechat.text('oCitizenOpenId001', '驾驶证到期怎么换', '7000000000000000001');
    const escalated = await wechat.text('oCitizenOpenId001', '转人工', '7000000000000000002');
    expect(escalated.reply?.Content).toMatch(/您的咨询已转人工/);
    const caseId = (await server.store.escalations.findOpen('wechat:oCitizenOpenId001'))!.id;
    const desk = await login(server.url, 'desk');
    await desk.post(`/api/v1/escalations/${caseId}/claim`);
    await desk.post(`/api/v1/escalations/${caseId}/messages`, { text: '驾驶证可在到期前90天内换证。' });
    expect(weixin.messagesFor('oCitizenOpenId001').at(-1)?.content).toContain('驾驶证可在到期前90天内换证');
    weixin.failNextSends(45015);
    const late = await desk.post(`/api/v1/escalations/${caseId}/messages`, { text: '补充：可在交管12123办理。' });
    expect(late.body.delivery).toMatchObject({ status: 'undeliverable', reason: 'window_closed' });
    const detail = await desk.get(`/api/v1/escalations/${caseId}`);
    expect(detail.body.escalation.deliveryProblem).toMatch(/window_closed/);
    expect(detail.body.outbox.map((o: { status: string }) => o.status)).toContain('undeliverable');
  });
});

describe('restart safety', () => {
  it('keeps open cases, assignments and unsent replies across a restart, and sends the unsent ones', async () => {
    await telegramSays(5151, '身份证怎么补办');
    await telegramSays(5151, '转人工');
    const open = (await server.store.escalations.findOpen('telegram:5151'))!;
    const desk = await login(server.url, 'desk');
    await desk.post(`/api/v1/escalations/${open.id}/claim`);
    const claimed = (await server.store.escalations.get(open.id))!;
    expect(claimed.assigneeId).not.toBeNull();
    // A reply written to the outbox just before the process died, never sent.
    const { store } = server;
    await store.write(async () => {
      await store.messages.saveOutbound('telegram:5151', 'telegram', 'staff', [{ text: '重启前未发出的回复', staffName: 'desk display' }], new Date());
      await store.outbox.add('telegram:5151', 'telegram', [{ text: '重启前未发出的回复', staffName: 'desk display' }], new Date());
    });
    const dir = server.dir;
    await server.close();
    server = await startTestServer({ channels: [telegramChannel, wechatChannel], env: env(), now: clock.now, dir });
    await eventually(() => (telegram.sentTo(5151).some((m) => String(m.text).includes('重启前未发出的回复')) ? true : undefined), 5000, 'the unsent reply');
    const after = (await server.store.escalations.findOpen('telegram:5151'))!;
    expect(after).toMatchObject({ id: open.id, state: 'assigned', assigneeId: claimed.assigneeId });
    expect(await server.store.outbox.pending()).toEqual([]);
    const again = await login(server.url, 'desk');
    expect((await again.get('/api/v1/escalations?state=assigned')).body.escalations.map((e: { id: number }) => e.id)).toContain(open.id);
  });
});
