/** The Telegram adapter end to end: webhook security, /start, button taps, blocked users, failures, and long polling. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TelegramAdapter } from '../../channels/telegram/adapter.ts';
import { telegramChannel } from '../../channels/telegram/index.ts';
import { createLogger } from '../../src/logger.ts';
import type { ChannelDeps } from '../../src/server/channel-adapter.ts';
import { eventually, startTestServer, type TestServer } from '../support/test-server.ts';
import { callbackUpdate, startFakeTelegramApi, textUpdate, type FakeTelegramApi } from '../fakes/telegram-api.ts';

const TOKEN = '987654321:adapter-test-token';
const SECRET = 'adapter-secret';
const WEBHOOK_URL = 'https://bot.example.gov.cn/channels/telegram/webhook';

interface Keyboard {
  inline_keyboard?: { text: string; callback_data?: string }[][];
}

describe('telegram webhook', () => {
  let api: FakeTelegramApi;
  let server: TestServer;
  let nextUpdateId = 1;

  const post = async (body: string, secret: string | null = SECRET): Promise<number> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
    const res = await fetch(`${server.url}/channels/telegram/webhook`, { method: 'POST', headers, body });
    await res.arrayBuffer();
    return res.status;
  };
  const say = (chatId: number, text: string, languageCode?: string): Promise<number> =>
    post(JSON.stringify(textUpdate({ updateId: nextUpdateId++, chatId, text, languageCode })));
  const stored = (chatId: number) => server.store.messages.listByConversation(`telegram:${chatId}`);

  beforeAll(async () => {
    api = await startFakeTelegramApi(TOKEN);
    server = await startTestServer({
      channels: [telegramChannel],
      env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_URL: WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: api.url },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await api?.stop();
  });

  it('registers the webhook URL with its secret on start', () => {
    expect(api.callsOf('setWebhook')).toEqual([{ url: WEBHOOK_URL, secret_token: SECRET, allowed_updates: ['message', 'callback_query'] }]);
  });

  it('refuses updates with a wrong or missing secret and stores nothing', async () => {
    const update = JSON.stringify(textUpdate({ updateId: 9001, chatId: 101, text: '居住证怎么办理' }));
    expect(await post(update, 'guessed-secret')).toBe(403);
    expect(await post(update, null)).toBe(403);
    expect(await stored(101)).toEqual([]);
    expect(api.sentTo(101)).toEqual([]);
  });

  it('answers 400 to bad JSON and to a body that is not an update, and keeps answering', async () => {
    expect(await post('{"update_id": 1, ')).toBe(400);
    expect(await post(JSON.stringify({ message: { text: 'no update id' } }))).toBe(400);
    expect(await post('[]')).toBe(400);
    expect(await say(102, '社保卡怎么办理')).toBe(200);
    expect(api.sentTo(102).at(-1)?.text).toContain('社会保障卡');
  });

  it('greets /start with what the bot can do, in the language of the citizen’s app, without logging a question', async () => {
    expect(await say(103, '/start', 'zh-hans')).toBe(200);
    expect(await say(104, '/start', 'en')).toBe(200);
    const [zh] = api.sentTo(103);
    const [en] = api.sentTo(104);
    expect(zh?.text).toContain('转人工');
    expect(en?.text).toContain('talk to a person');
    expect(await stored(103)).toEqual([]);
    expect((await server.store.demand.list()).filter((d) => d.conversationId === 'telegram:103')).toEqual([]);
  });

  it('answers the callback query of a tapped choice and replies with the chosen entry', async () => {
    expect(await say(105, '驾驶证')).toBe(200);
    const question = api.sentTo(105).at(-1)!;
    const buttons = ((question.reply_markup as Keyboard).inline_keyboard ?? []).flat();
    expect(buttons.length).toBeGreaterThanOrEqual(2);
    const tap = callbackUpdate({ updateId: nextUpdateId++, chatId: 105, data: buttons.find((b) => /补领|遗失|损毁/.test(b.text))!.callback_data!, queryId: 'tap-105' });
    expect(await post(JSON.stringify(tap))).toBe(200);
    expect(api.callsOf('answerCallbackQuery')).toContainEqual({ callback_query_id: 'tap-105' });
    expect(api.sentTo(105).at(-1)?.text).toMatch(/补领|遗失|损毁/);
  });

  it('reports a later reply to a user who blocked the bot as undeliverable (blocked)', async () => {
    expect(await say(106, '你好')).toBe(200);
    api.block(106);
    const result = await server.outbound.deliver('telegram:106', [{ text: '工作人员：您的材料已审核通过。' }]);
    expect(result).toMatchObject({ status: 'undeliverable', reason: 'blocked' });
  });

  it('keeps the message and the answer in the transcript when the answer cannot be sent', async () => {
    api.block(107);
    expect(await say(107, '护照怎么换发')).toBe(200);
    const transcript = await stored(107);
    expect(transcript.map((m) => m.direction)).toEqual(['in', 'out']);
  });

  it('answers 500 when the core fails, so Telegram delivers the update again, and answers the retry', async () => {
    const update = JSON.stringify(textUpdate({ updateId: nextUpdateId++, chatId: 108, text: '居住证怎么办理' }));
    const handle = vi.spyOn(server.service, 'handle').mockRejectedValueOnce(new Error('database is locked'));
    try {
      expect(await post(update)).toBe(500);
      expect(await post(update)).toBe(200);
    } finally {
      handle.mockRestore();
    }
    expect(api.sentTo(108)).toHaveLength(1);
    expect(api.sentTo(108)[0]?.text).toContain('居住证');
  });

  it('sends plain text only, so untrusted text cannot change the formatting', () => {
    expect(api.callsOf('sendMessage').length).toBeGreaterThan(0);
    expect(api.callsOf('sendMessage').filter((m) => 'parse_mode' in m)).toEqual([]);
  });
});

describe('telegram long polling', () => {
  it('receives updates through getUpdates and replies, carrying on after an update that failed', async () => {
    const api = await startFakeTelegramApi(TOKEN);
    const server = await startTestServer({ channels: [telegramChannel], env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.url } });
    try {
      const handle = vi.spyOn(server.service, 'handle').mockRejectedValueOnce(new Error('database is locked'));
      api.queueUpdate(textUpdate({ updateId: 499, chatId: 200, text: '护照怎么换发' }));
      await eventually(() => (handle.mock.calls.length > 0 ? true : undefined), 10_000, 'the failing update to be handled');
      handle.mockRestore();
      api.queueUpdate(textUpdate({ updateId: 500, chatId: 201, text: '居住证怎么办理' }));
      const [reply] = await eventually(() => (api.sentTo(201).length > 0 ? api.sentTo(201) : undefined), 10_000, 'a reply sent through the Bot API');
      expect(reply?.text).toContain('居住证');
      // Long polling only works once no webhook is set.
      expect(api.callsOf('deleteWebhook')).toHaveLength(1);
      expect((await server.store.messages.listByConversation('telegram:201')).filter((m) => m.direction === 'in')).toHaveLength(1);
    } finally {
      await server.stop();
      await api.stop();
    }
    // Stopping confirms the handled update, so a restarted bot does not get it again.
    expect(api.callsOf('getUpdates').at(-1)).toMatchObject({ offset: 501 });
  });
});

describe('telegram start and stop', () => {
  const deps = { logger: createLogger('silent') } as ChannelDeps;

  it('fails to start with a message naming the variables to check, without the token', async () => {
    const api = await startFakeTelegramApi(TOKEN);
    const wrongToken = '111:wrong-token';
    const refused = 'http://127.0.0.1:1';
    try {
      const wrong = new TelegramAdapter({ TELEGRAM_BOT_TOKEN: wrongToken, TELEGRAM_MODE: 'polling', TELEGRAM_API_ROOT: api.url }, deps);
      await expect(wrong.start()).rejects.toThrow(/401[\s\S]*TELEGRAM_BOT_TOKEN/);
      const unreachable = new TelegramAdapter({ TELEGRAM_BOT_TOKEN: wrongToken, TELEGRAM_MODE: 'polling', TELEGRAM_API_ROOT: refused }, deps);
      const error = await unreachable.start().then(() => null, (err: Error) => err);
      expect(error?.message).toContain('TELEGRAM_API_ROOT');
      expect(error?.message).not.toContain(wrongToken);
    } finally {
      await api.stop();
    }
  });

  it('stops polling cleanly even right after starting', async () => {
    const api = await startFakeTelegramApi(TOKEN);
    try {
      const adapter = new TelegramAdapter({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'polling', TELEGRAM_API_ROOT: api.url }, deps);
      await adapter.start();
      await adapter.stop();
      const calls = api.calls.length;
      api.queueUpdate(textUpdate({ updateId: 900, chatId: 301, text: '你好' }));
      await new Promise((r) => setTimeout(r, 200));
      expect(api.calls.length).toBe(calls);
      expect(api.sentTo(301)).toEqual([]);
    } finally {
      await api.stop();
    }
  });
});
