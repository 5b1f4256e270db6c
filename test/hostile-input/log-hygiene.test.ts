/**
 * The logs of a session on every entry point, with secrets configured and personal data sent, hold neither:
 * no tokens, keys, passwords, cookies or CSRF tokens, no unmasked phone or ID numbers. And the lines written
 * for one message share its request id, from the HTTP request to the answer.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramChannel } from '../../channels/telegram/index.ts';
import { webChannel } from '../../channels/web/index.ts';
import { wechatChannel } from '../../channels/wechat/index.ts';
import { createLogger } from '../../src/logger.ts';
import { startFakeTelegramApi, textUpdate, type FakeTelegramApi } from '../fakes/telegram-api.ts';
import { startFakeWeChatApi, type FakeWeChatApi } from '../fakes/wechat-api.ts';
import { WeChatCallbackClient } from '../fakes/wechat-callback.ts';
import { WidgetClient } from '../fakes/web-widget-client.ts';
import { createStaff, login } from '../support/staff-client.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { ID_NUMBER, PHONE } from './corpus.ts';

const TELEGRAM_TOKEN = '123456789:LogHygieneBotToken_x9Qv2';
const TELEGRAM_SECRET = 'log-hygiene-webhook-secret-7f3a';
const WECHAT_TOKEN = 'logHygieneToken7f3a';
const WECHAT_APP_ID = 'wx5e6f7a8b9c0d1e2f';
const WECHAT_APP_SECRET = 'log-hygiene-app-secret-2b9c';
const AES_KEY = 'Lh7vN2xR9tL4mP8wZ3yB6cF1hJ5dG0sA2eU7iO9rT4k';
const PASSWORD = 'log-hygiene-password-81';
const PERSONAL = `我的身份证${ID_NUMBER}，电话${PHONE}，社保怎么查`;

const lines: string[] = [];
let server: TestServer;
let telegram: FakeTelegramApi;
let wechatApi: FakeWeChatApi;

beforeAll(async () => {
  telegram = await startFakeTelegramApi(TELEGRAM_TOKEN);
  wechatApi = await startFakeWeChatApi({ appId: WECHAT_APP_ID, appSecret: WECHAT_APP_SECRET });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  server = await startTestServer({
    channels: [webChannel, telegramChannel, wechatChannel],
    logger: createLogger('trace', sink),
    env: {
      ...telegram.webhookEnv(TELEGRAM_SECRET),
      WECHAT_TOKEN,
      WECHAT_APP_ID,
      WECHAT_APP_SECRET,
      WECHAT_ENCODING_AES_KEY: AES_KEY,
      WECHAT_API_BASE: wechatApi.url,
      WECHAT_REPLY_BUDGET_MS: '0',
    },
  });
});

afterAll(async () => {
  await server?.stop();
  await telegram?.stop();
  await wechatApi?.stop();
});

describe('logs', () => {
  it('hold no secrets and no unmasked personal data after a session on every entry point', async () => {
    const api = await fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TELEGRAM_SECRET}` }, body: JSON.stringify({ text: PERSONAL }) });
    expect(api.status).toBe(200);
    const widget = await WidgetClient.connect(server.url, 'log-hygiene-widget-01');
    widget.send({ type: 'message', id: 'lh-1', text: PERSONAL });
    await widget.waitFor((f) => f.type === 'ack');
    await widget.close();
    const update = (text: string, updateId: number) =>
      fetch(`${server.url}/channels/telegram/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET }, body: JSON.stringify(textUpdate({ updateId, chatId: 4242, text })) });
    telegram.block(4242);
    expect((await update(PERSONAL, 1)).status).toBe(200);
    expect((await fetch(`${server.url}/channels/telegram/webhook`, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': `${TELEGRAM_SECRET}-forged` }, body: '{}' })).status).toBe(403);
    const wechat = new WeChatCallbackClient({ url: `${server.url}/channels/wechat`, token: WECHAT_TOKEN, appId: WECHAT_APP_ID, encodingAesKey: AES_KEY });
    expect((await wechat.text('o-log-hygiene', PERSONAL, '9001')).status).toBe(200);
    expect((await wechat.text('o-log-hygiene', '护照', '9002')).status).toBe(200);
    await createStaff(server.store, 'loghygiene', 'admin', [], PASSWORD);
    expect((await fetch(`${server.url}/api/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'loghygiene', password: `${PASSWORD}-wrong` }) })).status).toBe(401);
    const staff = await login(server.url, 'loghygiene', PASSWORD);
    expect((await staff.get('/api/v1/escalations')).status).toBe(200);
    expect((await staff.post('/api/v1/staff', { name: 'x', password: 'short' })).status).toBe(400);

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of [TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(':')[1]!, TELEGRAM_SECRET, WECHAT_TOKEN, WECHAT_APP_SECRET, AES_KEY, PASSWORD, staff.cookie.split('=')[1]!, staff.csrfToken, PHONE, ID_NUMBER]) {
      expect(log, `the logs contain ${secret}`).not.toContain(secret);
    }
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('gives every line about one message its request id, returned as X-Request-Id', async () => {
    const res = await fetch(`${server.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me-0000001' }, body: JSON.stringify({ text: '量子计算机原理' }) });
    expect(res.headers.get('x-request-id')).toBe('trace-me-0000001');
    await res.arrayBuffer();
    const mine = lines.map((l) => JSON.parse(l) as { requestId?: string; msg: string }).filter((l) => l.requestId === 'trace-me-0000001');
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['demand signal', 'message answered', 'request']));
  });
});
